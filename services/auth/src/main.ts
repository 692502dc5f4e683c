import { loadConfigOrExit } from '@gatehouse/config';
import { startTelemetry } from '@gatehouse/telemetry';
import { readAuthConfig } from './config';

const config = loadConfigOrExit('gatehouse-auth', () => readAuthConfig(process.env));
const telemetry = startTelemetry(config.telemetry);

// Required only now: the tracing instrumentations must hook grpc-js, pg and ioredis before they load.
const { runService } = require('@gatehouse/runtime') as typeof import('@gatehouse/runtime');
const { startAuthApp } = require('./app') as typeof import('./app');

void runService({ config, telemetry, start: startAuthApp });
