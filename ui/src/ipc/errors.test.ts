import { afterEach, describe, expect, it } from 'vitest';
import { applyLanguage } from '../i18n/index.svelte';
import { toIpcError } from './errors';

afterEach(() => applyLanguage('en'));

describe('toIpcError', () => {
  it('keeps code, message and field of an IpcError', () => {
    expect(toIpcError({ code: 'rateLimited', message: 'Too many requests.', field: null })).toEqual({
      code: 'rateLimited',
      message: 'Too many requests.',
      field: null,
    });
  });

  it('knows the conflict and clipboard codes', () => {
    expect(toIpcError({ code: 'conflict', message: 'Changed on the server.', field: null }).code).toBe('conflict');
    expect(toIpcError({ code: 'clipboard', message: 'No clipboard.', field: null }).code).toBe('clipboard');
  });

  it('gives a missing field as null', () => {
    expect(toIpcError({ code: 'network', message: 'The server did not answer.' })).toEqual({
      code: 'network',
      message: 'The server did not answer.',
      field: null,
    });
  });

  it('treats an object with an unknown code as internal', () => {
    expect(toIpcError({ code: 'weird', message: 'x' })).toEqual({
      code: 'internal',
      message: 'Something went wrong, with no details given.',
      field: null,
    });
  });

  it('uses the message of an Error', () => {
    expect(toIpcError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom', field: null });
  });

  it('puts the kind of failure in Japanese before the message Rust wrote in English', () => {
    applyLanguage('ja');
    expect(toIpcError({ code: 'network', message: 'Could not connect.', field: null }).message).toBe(
      'ネットワーク エラー：Could not connect.',
    );
    expect(toIpcError(new Error('boom')).message).toBe('内部エラー：boom');
  });
});
