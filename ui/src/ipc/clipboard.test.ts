import { writeText } from '@tauri-apps/plugin-clipboard-manager';
import { describe, expect, it, vi } from 'vitest';
import { copyText } from './clipboard';

vi.mock('@tauri-apps/plugin-clipboard-manager', () => ({ writeText: vi.fn() }));

describe('copyText', () => {
  it('writes the exact text', async () => {
    vi.mocked(writeText).mockResolvedValue();

    await copyText('  a1b2 ');

    expect(writeText).toHaveBeenCalledWith('  a1b2 ');
  });

  it('rejects with an IpcError when the plugin fails', async () => {
    vi.mocked(writeText).mockRejectedValue('clipboard unavailable');

    await expect(copyText('x')).rejects.toEqual({
      code: 'internal',
      message: 'clipboard unavailable',
      field: null,
    });
  });
});
