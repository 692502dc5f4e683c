import { loadConfigOrExit } from '@gatehouse/config';
import { startTelemetry } from '@gatehouse/telemetry';
import { readAuthConfig } from './config';

const config = loadConfigOrExit('gatehouse-auth', () => readAuthConfig(process.env));

// libuv's pool starts at its first use and reads UV_THREADPOOL_SIZE only then: size it now, before
// anything below can use it. bcrypt holds at most AUTH_BCRYPT_CONCURRENCY threads; 4 stay for the
// rest (fs, dns, other crypto). An operator's explicit UV_THREADPOOL_SIZE wins.
process.env.UV_THREADPOOL_SIZE ??= String(config.auth.bcryptConcurrency + 4);

const telemetry = startTelemetry(config.telemetry);

// Required only now: the tracing instrumentations must hook grpc-js, pg and ioredis before they load.
const { runService } = require('@gatehouse/runtime') as typeof import('@gatehouse/runtime');
const { startAuthApp } = require('./app') as typeof import('./app');

void runService({ config, telemetry, start: startAuthApp });
