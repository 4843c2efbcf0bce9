// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import { TestStack } from "../support/pulumi";

// One stack through the whole lifecycle; the steps depend on each other, so one test.
describe("the real Pulumi engine", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.create({ program: "dynamic-echo" });
  });
  afterAll(async () => stack?.dispose());

  it("creates, previews with no changes, refreshes and destroys a dynamic resource", async () => {
    const up = await stack.up({ message: "hello" });
    expect(up.error).toBeUndefined();
    expect(up.ok).toBe(true);
    expect(up.output).toMatch(/greeting\s+created/);
    expect(up.changeSummary).toEqual({ create: 2 }); // the stack and the resource
    expect(up.outputs).toEqual({ message: "hello", length: 5 });

    const [echo] = await stack.resources("dynamic:Resource");
    expect(echo.id).toBe("echo-hello");
    expect(echo.outputs.message).toBe("hello");
    expect(typeof echo.inputs.__provider).toBe("string");

    const preview = await stack.preview({ message: "hello" }, true);
    expect(preview.error).toBeUndefined();
    expect(preview.changeSummary).toEqual({ same: 2 });

    const refresh = await stack.refresh({ message: "hello" });
    expect(refresh.error).toBeUndefined();
    expect(refresh.changeSummary).toEqual({ same: 2 });

    const destroy = await stack.destroy({ message: "hello" });
    expect(destroy.error).toBeUndefined();
    expect(destroy.changeSummary).toEqual({ delete: 2 });
    expect(await stack.resources("dynamic:Resource")).toEqual([]);
  });
});
