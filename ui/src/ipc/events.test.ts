import { listen } from '@tauri-apps/api/event';
import { describe, expect, it, vi } from 'vitest';
import { onSignInUrl } from './events';

vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn() }));

describe('onSignInUrl', () => {
  it('listens to the sign-in event and hands over its address', async () => {
    const stop = vi.fn();
    vi.mocked(listen).mockResolvedValue(stop);
    const handler = vi.fn();

    expect(await onSignInUrl(handler)).toBe(stop);

    expect(vi.mocked(listen).mock.calls[0][0]).toBe('sign-in-url');
    const deliver = vi.mocked(listen).mock.calls[0][1];
    deliver({ event: 'sign-in-url', id: 1, payload: 'http://127.0.0.1:1/connect/authorize?x=1' });
    expect(handler).toHaveBeenCalledWith('http://127.0.0.1:1/connect/authorize?x=1');
  });
});
