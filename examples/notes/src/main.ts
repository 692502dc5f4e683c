import { loadConfigOrExit } from '@gatehouse/config';
import { startTelemetry } from '@gatehouse/telemetry';
import { readNotesConfig } from './config';

const config = loadConfigOrExit('gatehouse-example-notes', () => readNotesConfig(process.env));
const telemetry = startTelemetry(config.telemetry);

// Required only now: the tracing instrumentations must hook grpc-js before it loads.
const { runService } = require('@gatehouse/runtime') as typeof import('@gatehouse/runtime');
const { startNotesApp } = require('./app') as typeof import('./app');

void runService({ config, telemetry, start: startNotesApp });
