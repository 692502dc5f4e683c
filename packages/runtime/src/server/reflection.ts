import type { Server } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { descriptorSet } from '@gatehouse/contracts';

/** Serves gRPC server reflection (v1 and v1alpha) for the listed services, so grpcurl and buf curl work. */
export function addReflection(server: Server, serviceNames: readonly string[]): void {
  const packageDefinition = loadFileDescriptorSetFromBuffer(descriptorSet());
  new ReflectionService(packageDefinition, { services: [...serviceNames] }).addToServer(server);
}
