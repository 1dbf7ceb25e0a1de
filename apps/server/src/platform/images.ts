import type { Metadata } from "sharp";

let sharpModule: Promise<typeof import("sharp")> | undefined;

/** libvips weighs tens of megabytes: it loads with the first image, not with the server. */
const loadSharp = async () => {
  sharpModule ??= import("sharp");
  return (await sharpModule).default;
};

/** Format and size of an image; throws for bytes that are not one (or one bigger than `maxPixels`). */
export const readImageMetadata = async (bytes: Buffer, maxPixels: number): Promise<Metadata> =>
  (await loadSharp())(bytes, { limitInputPixels: maxPixels }).metadata();

/** An image re-encoded as WebP, turned upright and shrunk to fit (`inside`) or fill (`cover`) a `maxPx` square. */
export const renderWebp = async (
  bytes: Buffer,
  options: { maxPx: number; fit: "inside" | "cover"; quality: number },
): Promise<Buffer> =>
  (await loadSharp())(bytes, { limitInputPixels: 100_000_000 })
    .rotate()
    .resize({ width: options.maxPx, height: options.maxPx, fit: options.fit, withoutEnlargement: true })
    .webp({ quality: options.quality })
    .toBuffer();
