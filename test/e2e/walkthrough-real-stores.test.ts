// The README walkthrough on real PostgreSQL and Redis: each service in its own schema and key prefix.
import { describeWalkthrough } from './walkthrough/walkthrough-steps';

describeWalkthrough('real');
