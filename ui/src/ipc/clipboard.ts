import { writeText } from '@tauri-apps/plugin-clipboard-manager';
import { toIpcError } from './errors';

export async function copyText(text: string): Promise<void> {
  try {
    await writeText(text);
  } catch (error) {
    throw toIpcError(error);
  }
}
