/** Native file dialogs for the service (Electron only; the web studio has none). */
import type { BrowserWindow } from 'electron';
import { dialog } from 'electron';
import type { DialogHost } from '../services/studio-service.ts';

const VIDEO_EXTENSIONS = ['mp4', 'mov', 'mkv', 'webm', 'avi', 'm4v', 'y4m'];

export function electronDialogs(window: () => BrowserWindow | undefined): DialogHost {
  return {
    async chooseOpenFile() {
      const win = window();
      const opts = { title: 'Import a video', properties: ['openFile' as const], filters: [{ name: 'Videos', extensions: VIDEO_EXTENSIONS }] };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
    },
    async chooseSaveFile(defaultName, extension) {
      const win = window();
      const opts = { title: 'Export', defaultPath: defaultName, filters: [{ name: extension === 'm3c' ? 'M3C bitstream' : 'MP4 video', extensions: [extension] }] };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    async chooseFolder(title) {
      const win = window();
      const opts = { title, buttonLabel: 'Export here', properties: ['openDirectory' as const, 'createDirectory' as const] };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
    },
  };
}
