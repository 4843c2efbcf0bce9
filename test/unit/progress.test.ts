/** Progress lines of a waiting client (issue 15 item 1), on Jest's fake clock. */
import { WaitProgress } from "../../provider/client/progress";

const URL = "https://api.descope.com";

/** A wait whose elapsed time the test sets. */
function waitOf(ms: { value: number }) {
  return { elapsedMs: () => ms.value };
}

describe("WaitProgress", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("prints the first line after afterMs and then one every everyMs when a call keeps waiting", () => {
    const lines: string[] = [];
    const progress = new WaitProgress(URL, { afterMs: 5_000, everyMs: 30_000, write: (l) => void lines.push(l) });
    const waited = { value: 0 };
    const stop = progress.track(waitOf(waited));
    for (let s = 1; s <= 70; s++) {
      waited.value = s * 1000;
      jest.advanceTimersByTime(1_000);
    }
    stop();
    expect(lines).toEqual([
      `descope: still waiting for ${URL} (5 s) …`,
      `descope: still waiting for ${URL} (35 s) …`,
      `descope: still waiting for ${URL} (65 s) …`,
    ]);
  });

  it("prints one line, not one per call, when many calls wait at once", () => {
    const lines: string[] = [];
    const progress = new WaitProgress(URL, { afterMs: 5_000, everyMs: 30_000, write: (l) => void lines.push(l) });
    const waited = { value: 6_000 };
    const stops = Array.from({ length: 100 }, () => progress.track(waitOf(waited)));
    jest.advanceTimersByTime(1_000);
    stops.forEach((stop) => stop());
    expect(lines).toEqual([`descope: still waiting for ${URL} (6 s) …`]);
  });

  it("prints nothing when every wait ends before afterMs", () => {
    const lines: string[] = [];
    const progress = new WaitProgress(URL, { afterMs: 5_000, everyMs: 30_000, write: (l) => void lines.push(l) });
    const waited = { value: 0 };
    const stop = progress.track(waitOf(waited));
    waited.value = 4_000;
    jest.advanceTimersByTime(4_000);
    stop();
    waited.value = 60_000; // no longer tracked
    jest.advanceTimersByTime(60_000);
    expect(lines).toEqual([]);
  });
});
