import t from 'tap';
import { opencv } from './opencv.js';
import { PATCH_H, PATCH_SIZE, PATCH_W, PATCH_X, PATCH_Y, writeCornerPatch, writeCornerPatchFrom } from './corner-patch.js';

t.test('the patch is the index upright, whichever way the card lies', async (t) => {
  const cv = opencv();
  const width = 300; // the card's width in frame pixels: the patch spans a third of it
  // Where a frame point lands in the patch, for a corner whose "down" points along `down`.
  for (const [name, down] of [['upright', { x: 0, y: 1 }], ['turned 180', { x: 0, y: -1 }], ['on its side', { x: 1, y: 0 }], ['the other side', { x: -1, y: 0 }]] as const) {
    const frame = new cv.Mat(600, 600, cv.CV_8UC3, [255, 255, 255]);
    const at = { x: 300, y: 300 };
    // A red dot a tenth of a card width "right" of the keypoint, a green one a tenth "down".
    const right = { x: down.y, y: -down.x };
    frame.drawCircle(new cv.Point2(at.x + right.x * 30, at.y + right.y * 30), 6, new cv.Vec3(0, 0, 255), -1);
    frame.drawCircle(new cv.Point2(at.x + down.x * 30, at.y + down.y * 30), 6, new cv.Vec3(0, 255, 0), -1);
    const batch = new Float32Array(PATCH_SIZE);
    writeCornerPatch(frame, { at, down, width, score: 1 }, batch, 0);
    const px = (u: number, v: number): [number, number, number] => {
      const i = Math.round(v) * PATCH_W + Math.round(u);
      return [batch[i]!, batch[i + PATCH_W * PATCH_H]!, batch[i + 2 * PATCH_W * PATCH_H]!];
    };
    // the keypoint's own place in the patch, and a tenth of a card width along each axis
    const u0 = ((0 - PATCH_X[0]) / (PATCH_X[1] - PATCH_X[0])) * PATCH_W - 0.5;
    const v0 = ((0 - PATCH_Y[0]) / (PATCH_Y[1] - PATCH_Y[0])) * PATCH_H - 0.5;
    const du = (0.1 / (PATCH_X[1] - PATCH_X[0])) * PATCH_W;
    const dv = (0.1 / (PATCH_Y[1] - PATCH_Y[0])) * PATCH_H;
    const red = px(u0 + du, v0);
    const green = px(u0, v0 + dv);
    t.ok(red[2] > 0.8 && red[1] < 0.3 && red[0] < 0.3, `${name}: "right" of the index is right in the patch (${red.map((c) => c.toFixed(2)).join(' ')})`);
    t.ok(green[1] > 0.8 && green[2] < 0.3 && green[0] < 0.3, `${name}: "down" is down (${green.map((c) => c.toFixed(2)).join(' ')})`);
    t.same(px(u0, v0), [1, 1, 1], `${name}: the keypoint itself is the white card`);
  }
});

t.test('a patch cut from the frame bytes is the patch cut from the whole frame, at the edges too', async (t) => {
  const cv = opencv();
  // Noise, so any pixel out of place shows; corners all over, some with patches past the edges.
  const frame = new cv.Mat(Buffer.from(Array.from({ length: 400 * 300 * 3 }, (_, i) => (i * 7919 + ((i * i) % 251)) & 255)), 300, 400, cv.CV_8UC3);
  const bytes = { data: frame.getData(), width: frame.cols, height: frame.rows };
  let worst = 0;
  let cuts = 0;
  for (let k = 0; k < 60; k++) {
    const angle = k * 0.77;
    const corner = { at: { x: ((k * 53) % 440) - 20, y: ((k * 37) % 340) - 20 }, down: { x: Math.sin(angle), y: Math.cos(angle) }, width: 40 + ((k * 29) % 200), score: 1 };
    const whole = new Float32Array(PATCH_SIZE);
    const cut = new Float32Array(PATCH_SIZE);
    writeCornerPatch(frame, corner, whole, 0);
    writeCornerPatchFrom(bytes, corner, cut, 0);
    for (let i = 0; i < PATCH_SIZE; i++) worst = Math.max(worst, Math.abs(whole[i]! - cut[i]!));
    cuts++;
  }
  t.equal(cuts, 60);
  t.equal(worst, 0, 'every value the same');
});
