import { createRequire } from 'node:module';
import type { cv as CvModule } from '@u4/opencv4nodejs';

export type OpenCv = typeof CvModule;
export type { Mat } from '@u4/opencv4nodejs';

let loaded: OpenCv | null = null;

/**
 * @u4/opencv4nodejs, loaded on first use and quietly: it prints to the console while it finds
 * its native library, which must not end up in the appliance's JSON log or a CLI's --json
 * output. Built by scripts/build-opencv4nodejs.sh against Debian's OpenCV; never auto-builds.
 */
export function opencv(): OpenCv {
  if (loaded) return loaded;
  process.env['OPENCV4NODEJS_DISABLE_AUTOBUILD'] = '1';
  // eslint-disable-next-line no-console -- saved to be restored: the library writes to them
  const saved = { log: console.log, info: console.info, warn: console.warn, debug: console.debug };
  const quiet = (): void => undefined;
  Object.assign(console, { log: quiet, info: quiet, warn: quiet, debug: quiet });
  try {
    const mod = createRequire(import.meta.url)('@u4/opencv4nodejs') as { cv: OpenCv };
    loaded = mod.cv;
    // One thread: recognition has one core; the encoders and the journal need the other.
    loaded.setNumThreads(1);
  } catch (err) {
    throw new Error(`OpenCV is not available (run scripts/setup.sh to build @u4/opencv4nodejs): ${(err as Error).message}`);
  } finally {
    Object.assign(console, saved);
  }
  return loaded;
}
