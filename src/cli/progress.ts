// A progress bar for long commands, on stderr. On a terminal it redraws one line in place
// ("[#####-----] 750/1500  50%  12 s"); elsewhere (a log file, a pipe, a test) it writes a
// plain line at each tenth, so logs stay readable. Never writes to stdout.

export interface Progress {
  update(done: number, total: number): void;
  end(): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total) {
      const frac = total === 0 ? 1 : done / total;
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
        const full = Math.round(frac * width);
        stream.write(
          `\r${label} [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${done}/${total} ${Math.floor(frac * 100)}% ${secs} s`,
        );
        drawn = true;
      } else {
        const tenth = Math.floor(frac * 10);
        if (tenth === lastTenth) return;
        lastTenth = tenth;
        stream.write(`${label}: ${done}/${total} (${tenth * 10}%) after ${secs} s\n`);
      }
    },
    end() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
