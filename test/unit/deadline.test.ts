import { OperationDeadline } from "../../provider/client/deadline";

describe("OperationDeadline", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("aborts when the counted time reaches the budget", () => {
    const d = new OperationDeadline(1_000);
    jest.advanceTimersByTime(999);
    expect(d.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(d.signal.aborted).toBe(true);
  });

  it("does not count paused time when paused and resumed", () => {
    const d = new OperationDeadline(1_000);
    jest.advanceTimersByTime(600);
    d.pause();
    jest.advanceTimersByTime(120_000); // e.g. a Retry-After of 120 s
    expect(d.signal.aborted).toBe(false);
    expect(d.elapsedMs()).toBeCloseTo(600, 0);
    d.resume();
    jest.advanceTimersByTime(399);
    expect(d.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(d.signal.aborted).toBe(true);
  });

  it("still aborts at the right time when the budget is longer than one timer can wait", () => {
    const budget = 2 ** 31 + 5_000; // past setTimeout's limit, which would otherwise fire after 1 ms
    const d = new OperationDeadline(budget);
    jest.advanceTimersByTime(2 ** 31 - 1);
    expect(d.signal.aborted).toBe(false);
    jest.advanceTimersByTime(5_000);
    expect(d.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(d.signal.aborted).toBe(true);
    d.clear();
  });
});
