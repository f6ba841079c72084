import { describe, expect, it, vi } from 'vitest';
import { reportStartup } from '../ipc';
import { reportInteractive } from './perf';

vi.mock('../ipc/commands');

describe('reportInteractive', () => {
  it('tells the app once per page, however many lists are painted', () => {
    reportInteractive();
    reportInteractive();

    expect(vi.mocked(reportStartup)).toHaveBeenCalledTimes(1);
  });
});
