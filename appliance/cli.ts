#!/usr/bin/env node
// Each command is imported when it is asked for: a command loads only its own modules (the camera,
// cards and doctor commands bring GStreamer, OpenCV and ONNX along), so `pitbox table close` or a
// usage error starts on about a third less CPU (measured: 2.7 s to 1.8 s for `camera test` on a
// loaded 2-core box).

const USAGE = `pitbox: the studio edge appliance for one live-casino table

  pitbox run --config FILE             run the table described by FILE
  pitbox config check FILE             validate a table config and print what is wrong
  pitbox doctor --config FILE          every check of the box and the table, with fixes [--json] [--only CHECK]
  pitbox journal init --config FILE    create a new table's journal (once; run never creates one)
  pitbox journal info --config FILE    where the journal stands
  pitbox journal verify --config FILE  every event's chain and signature (read-only) [--json]
  pitbox keys generate --dir DIR [--plain]
                                       a new Ed25519 signing key, sealed for this machine (systemd-creds;
                                       --plain: a 0600 PEM file); prints its public JWK
  pitbox keys list --dir DIR           the public JWKs of the keys in DIR
  pitbox keys seal --dir DIR           seal the plain key files in DIR for this machine, removing them
  pitbox keys rotate --config FILE [--plain] [--no-restart]
                                       a new key, announced at the restart, signing once the broker has it
  pitbox keys revoke KID --reason TEXT --config FILE [--by NAME]
                                       journal key.revoked: backends refuse KID's events after it
  pitbox tail [--config FILE | --url URL [--studio S] [--table T]] [--trust FILE] [--json]
                                       print every event, verified; exit 1 on the first violation;
                                       waits for the broker and reconnects (--broker-timeout S: give up)
  pitbox verify [same options] [--count N] [--duration S] [--gap-timeout S]
                                       verify signatures, chain, gaps and duplicates; summary at the end
  pitbox receive [tail's options] --camera NAME --stream URL [--types T,...] [--json] [--count N]
                                       each event's frame in the camera's stream (srt/rtmp/rtp): the frame link
  pitbox camera test --config FILE [--camera NAME] [--seconds N] [--json]
                                       run one camera for a few seconds and print what it measured
  pitbox camera snapshot --config FILE [--camera NAME] --out FILE.png
                                       one frame of the camera as PNG
  pitbox cards recognize IMAGE... [--json]
                                       find and read the cards in still images (JPEG, PNG, any size)
  pitbox cards calibrate --config FILE --image STILL.png --out OVERLAY.png
                                       draw the table's card positions (and the cards seen) on a still
  pitbox cards enrol --config FILE --deck NAME STILL... [--minutes 20] [--check-only]
                                       learn the studio's own deck from stills of it laid out in four rows
                                       of 13 (clubs, diamonds, hearts, spades; A..K): cards.deck: NAME
  pitbox table ACTION --config FILE [--by NAME] [--reason TEXT]
                                       what a dealer's button does: open, close, start, close-bets,
                                       void, resume, suspend, settle (exit 1 with the reason if refused)
  pitbox simulate wheel [options]      a simulated Cammegh SS2 wheel on a pseudo-terminal
  pitbox simulate station [--keypad P --shoe P]   a simulated keypad (FIFO) and card shoe (pty), driven from stdin
      [--auto --config FILE --deal C,C,...] [--bets S]   and a dealer who plays round after round by itself
      --link PATH      where the tty appears (default /tmp/pitbox-wheel)
      --speed N        N times faster than the field (default 1)
      --mode N         operating mode at power-up (default 1157)
      --seed N         random seed (default: random)
      --faults LIST    e.g. miss-spin=0.05,launch-failure=0.02,garble=0.01
      --lfcr           end lines with LF CR, as some wheels in the field do
    reads commands on stdin: unplug, replug, silence MS, fault NAME, recover
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return (await import('./commands/run.js')).runCommand(rest);
    case 'config':
      if (rest[0] === 'check') return (await import('./commands/check.js')).checkCommand(rest.slice(1));
      break;
    case 'journal':
      return (await import('./commands/journal.js')).journalCommand(rest);
    case 'doctor':
      return (await import('./commands/doctor.js')).doctorCommand(rest);
    case 'keys':
      return (await import('./commands/keys.js')).keysCommand(rest);
    case 'camera':
      return (await import('./commands/camera.js')).cameraCommand(rest);
    case 'cards':
      return (await import('./commands/cards.js')).cardsCommand(rest);
    case 'table':
      return (await import('./commands/table.js')).tableCommand(rest);
    case 'tail':
      return (await import('./commands/tail.js')).tailCommand('tail', rest);
    case 'verify':
      return (await import('./commands/tail.js')).tailCommand('verify', rest);
    case 'receive':
      return (await import('./commands/receive.js')).receiveCommand(rest);
    case 'simulate':
      if (rest[0] === 'wheel') return (await import('./commands/simulate.js')).simulateCommand(rest.slice(1));
      if (rest[0] === 'station') return (await import('./commands/simulate-station.js')).simulateStationCommand(rest.slice(1));
      break;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
  }
  process.stderr.write(`pitbox: unknown command ${JSON.stringify(argv.join(' '))}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`pitbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
