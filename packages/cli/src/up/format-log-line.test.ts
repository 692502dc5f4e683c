import { describe, expect, it } from 'vitest';
import { formatLogLine } from './format-log-line';
import { linePrefix } from './line-prefix';

const plain = { color: false };

describe('formatLogLine', () => {
  it('turns a pino line into time, level, message and fields', () => {
    const line =
      '{"level":"info","time":"2026-11-22T10:52:41.123Z","service":"auth","grpc_port":50051,"ops_port":8081,' +
      '"stores":{"sql":"pglite .gatehouse/auth","kv":"memory"},"msg":"serving gRPC on 0.0.0.0:50051, ops on 0.0.0.0:8081"}';
    expect(formatLogLine(line, plain)).toEqual([
      '10:52:41 INFO  serving gRPC on 0.0.0.0:50051, ops on 0.0.0.0:8081 grpc_port=50051 ops_port=8081 ' +
        'stores={"sql":"pglite .gatehouse/auth","kv":"memory"}',
    ]);
  });

  it('pads every level to one width and upper-cases it', () => {
    const at = (level: string) => `{"level":"${level}","time":"2026-11-22T01:02:03.000Z","msg":"m"}`;
    expect(
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((l) => formatLogLine(at(l), plain)[0]),
    ).toEqual([
      '01:02:03 TRACE m',
      '01:02:03 DEBUG m',
      '01:02:03 INFO  m',
      '01:02:03 WARN  m',
      '01:02:03 ERROR m',
      '01:02:03 FATAL m',
    ]);
  });

  it('understands numeric levels and epoch-millisecond times', () => {
    const time = Date.UTC(2026, 10, 22, 22, 26, 40, 500);
    const line = `{"level":40,"time":${time},"pid":7,"hostname":"box","msg":"slow"}`;
    expect(formatLogLine(line, plain)).toEqual(['22:26:40 WARN  slow']);
  });

  it('quotes string values only when they could be misread', () => {
    const line =
      '{"level":"info","time":"2026-11-22T10:52:41Z","msg":"call","method":"/a.B/C","note":"two words",' +
      '"empty":"","eq":"a=b","ok":true,"nothing":null,"list":[1,2]}';
    expect(formatLogLine(line, plain)).toEqual([
      '10:52:41 INFO  call method=/a.B/C note="two words" empty="" eq="a=b" ok=true nothing=null list=[1,2]',
    ]);
  });

  it('shows an error by its message, then its stack at error and fatal levels', () => {
    const line = JSON.stringify({
      level: 'fatal',
      time: '2026-11-22T10:53:51.245Z',
      service: 'auth',
      err: {
        type: 'Error',
        message: 'disk full',
        stack: 'Error: disk full\n    at open (/x.js:1:2)\n    at main (/y.js:3:4)',
      },
      msg: 'auth failed to start',
    });
    expect(formatLogLine(line, plain)).toEqual([
      '10:53:51 FATAL auth failed to start err="disk full"',
      '    at open (/x.js:1:2)',
      '    at main (/y.js:3:4)',
    ]);
  });

  it('does not repeat an error message the log message already contains', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-11-22T10:53:51.245Z',
      err: { message: 'timeout', stack: 'Error: timeout\n    at x' },
      msg: 'redis ping failed: timeout',
    });
    expect(formatLogLine(line, plain)).toEqual(['10:53:51 WARN  redis ping failed: timeout']);
  });

  it('indents the further lines of a multi-line message', () => {
    const line = '{"level":"info","time":"2026-11-22T10:52:41Z","msg":"first\\nsecond"}';
    expect(formatLogLine(line, plain)).toEqual(['10:52:41 INFO  first', '  second']);
  });

  it('passes anything that is not a pino line through unchanged', () => {
    expect(formatLogLine('gatehouse-auth: invalid configuration:', plain)).toEqual([
      'gatehouse-auth: invalid configuration:',
    ]);
    expect(formatLogLine('{"not":"a log line"}', plain)).toEqual(['{"not":"a log line"}']);
    expect(formatLogLine('{broken json', plain)).toEqual(['{broken json']);
    expect(formatLogLine('with carriage return\r', plain)).toEqual(['with carriage return']);
    expect(formatLogLine('', plain)).toEqual(['']);
  });

  it('colours level, time and field names only when asked', () => {
    const line = '{"level":"error","time":"2026-11-22T10:52:41Z","msg":"boom","code":7}';
    expect(formatLogLine(line, { color: true })).toEqual([
      '\u001b[2m10:52:41\u001b[0m \u001b[31mERROR\u001b[0m boom \u001b[2mcode=\u001b[0m7',
    ]);
  });
});

describe('linePrefix', () => {
  it('pads names to one width before the bar', () => {
    const width = 'cost-budget'.length;
    expect(linePrefix('auth', { width, color: false, index: 0 })).toBe('auth        | ');
    expect(linePrefix('cost-budget', { width, color: false, index: 2 })).toBe('cost-budget | ');
  });

  it('colours the name by position when asked', () => {
    expect(linePrefix('auth', { width: 4, color: true, index: 0 })).toBe(
      '\u001b[36mauth\u001b[0m \u001b[2m|\u001b[0m ',
    );
  });
});
