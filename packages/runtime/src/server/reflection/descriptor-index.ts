import {
  createFileRegistry,
  fromBinary,
  toBinary,
  type DescFile,
  type FileRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

/**
 * The contracts' file descriptors, indexed for reflection: by file name and by any symbol they
 * define. Answers carry the original FileDescriptorProtos with their dependencies, exactly as
 * protoc/buf produced them, so clients can rebuild the full schema.
 */
export class DescriptorIndex {
  private readonly registry: FileRegistry;

  constructor(descriptorSetBytes: Uint8Array) {
    this.registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSetBytes));
  }

  /** The named file and everything it imports, file first; undefined when unknown. */
  fileByName(name: string): Buffer[] | undefined {
    const file = this.registry.getFile(name);
    return file && this.withDependencies(file);
  }

  /** The file defining a fully-qualified service, method, message or enum, with its imports. */
  fileContainingSymbol(symbol: string): Buffer[] | undefined {
    const direct = this.registry.get(symbol);
    if (direct) return this.withDependencies(direct.file);
    // A method name: "<service>.<Method>".
    const cut = symbol.lastIndexOf('.');
    const service = cut > 0 ? this.registry.getService(symbol.slice(0, cut)) : undefined;
    const hasMethod = service?.methods.some((method) => method.name === symbol.slice(cut + 1));
    return hasMethod && service ? this.withDependencies(service.file) : undefined;
  }

  /** True when a message type of this name exists. */
  hasMessage(typeName: string): boolean {
    return this.registry.getMessage(typeName) !== undefined;
  }

  private withDependencies(file: DescFile): Buffer[] {
    const ordered: DescFile[] = [];
    const visit = (current: DescFile) => {
      if (ordered.includes(current)) return;
      ordered.push(current);
      current.dependencies.forEach(visit);
    };
    visit(file);
    return ordered.map((entry) => Buffer.from(toBinary(FileDescriptorProtoSchema, entry.proto)));
  }
}
