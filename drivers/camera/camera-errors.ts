import { existsSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import type { CameraConfig } from './config.js';
import type { BusMessage } from './gst.js';

/** A GStreamer error in words a technician can act on; the raw text is kept after it. */
export function explain(msg: BusMessage, config: CameraConfig): string {
  const text = msg.message ?? 'error';
  const debug = typeof msg.debug === 'string' ? msg.debug : '';
  const s = config.source;
  if (/not-negotiated/.test(`${text} ${debug}`) || /not negotiated/i.test(text)) {
    if (s.kind === 'v4l2') {
      return `${s.device} cannot produce ${s.width}x${s.height} at ${s.framerate} fps in ${s.format} (caps not negotiated: list its modes with v4l2-ctl --list-formats-ext)`;
    }
    return `the source cannot produce ${s.width}x${s.height} at ${s.framerate} fps (caps not negotiated)`;
  }
  if (s.kind === 'v4l2' && /busy/i.test(text)) return `${s.device} is busy: another program has the camera open (${text})`;
  return `${msg._src_element_name}: ${text}`;
}

export function preflight(config: CameraConfig): string | null {
  const s = config.source;
  if (s.kind === 'v4l2') {
    if (!existsSync(s.device)) return `device ${s.device} does not exist (camera unplugged, or the udev rule did not run)`;
    // GStreamer loses an error raised before READY (the bus poll stops at NULL): ask sysfs first.
    const node = basename(realpathSync(s.device));
    if (!existsSync(`/sys/class/video4linux/${node}`)) return `${s.device} is not a V4L2 video device`;
  }
  if (s.kind === 'file' && !existsSync(s.path)) return `file ${s.path} does not exist`;
  return null;
}
