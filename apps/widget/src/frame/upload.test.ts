import { describe, expect, it } from "vitest";
import { checkUpload, extensionOf, formatBytes, isImageFile, MAX_UPLOAD_BYTES } from "./upload.ts";

describe("checkUpload", () => {
  it("accepts the types the server accepts, up to the size limit", () => {
    for (const name of ["photo.JPG", "scan.png", "report.pdf", "notes.txt", "sheet.xlsx", "clip.mp4", "voice.ogg"]) {
      expect(checkUpload({ name, size: 1000 })).toBeNull();
    }
    expect(checkUpload({ name: "big.png", size: MAX_UPLOAD_BYTES })).toBeNull();
  });

  it("says a file is too big, with the limit", () => {
    expect(checkUpload({ name: "big.png", size: MAX_UPLOAD_BYTES + 1 })).toEqual({
      kind: "too_big",
      limitBytes: MAX_UPLOAD_BYTES,
    });
    expect(checkUpload({ name: "a.png", size: 2048 }, 1024)).toEqual({ kind: "too_big", limitBytes: 1024 });
  });

  it("refuses types the server would refuse, and empty files", () => {
    for (const name of ["setup.exe", "page.html", "script.js", "noextension", ".png", "archive.tar.gz"]) {
      expect(checkUpload({ name, size: 10 })).toEqual({ kind: "type" });
    }
    expect(checkUpload({ name: "empty.png", size: 0 })).toEqual({ kind: "empty" });
  });
});

describe("file helpers", () => {
  it("reads extensions and spots images", () => {
    expect(extensionOf("a.b.PNG")).toBe("png");
    expect(extensionOf(".hidden")).toBe("");
    expect(isImageFile("cat.webp")).toBe(true);
    expect(isImageFile("cat.pdf")).toBe(false);
  });

  it("formats sizes in the visitor's language", () => {
    expect(formatBytes(25 * 1024 * 1024, "en")).toBe("25 MB");
    expect(formatBytes(1536, "en")).toBe("1.5 kB");
    expect(formatBytes(12, "en")).toBe("12 byte");
    expect(formatBytes(1536, "de")).toBe("1,5 kB");
  });
});
