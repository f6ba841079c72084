import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import BreakableUrls from './BreakableUrls.svelte';

describe('BreakableUrls', () => {
  it('keeps the text and offers a line break after each separator of a URL', () => {
    const { container } = render(BreakableUrls, { text: 'http://127.0.0.1:8400/sandbox/identity_' });
    expect(container.textContent).toBe('http://127.0.0.1:8400/sandbox/identity_');
    expect(container.querySelectorAll('wbr')).toHaveLength(2);
  });
});
