// The README walkthrough on the embedded defaults: no DATABASE_URL / REDIS_URL (PGlite + in-process stores).
import { describeWalkthrough } from './walkthrough/walkthrough-steps';

describeWalkthrough('embedded');
