// The README walkthrough on PostgreSQL and the Redis Cluster (REDIS_CLUSTER=true): each service in
// its own schema and key prefix, its keys spread over the cluster's masters.
import { describeWalkthrough } from './walkthrough/walkthrough-steps';

describeWalkthrough('cluster');
