import { loadConfigOrExit } from '@gatehouse/config';
import { startTelemetry } from '@gatehouse/telemetry';
import { readRateLimitConfig } from './config';

const config = loadConfigOrExit('gatehouse-rate-limit', () => readRateLimitConfig(process.env));
const telemetry = startTelemetry(config.telemetry);

// Required only now: the tracing instrumentations must hook grpc-js, pg and ioredis before they load.
const { runService } = require('@gatehouse/runtime') as typeof import('@gatehouse/runtime');
const { startRateLimitApp } = require('./app') as typeof import('./app');

void runService({ config, telemetry, start: startRateLimitApp });
