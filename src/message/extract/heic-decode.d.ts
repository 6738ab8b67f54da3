declare module 'heic-decode' {
  /** The first image of a HEIC/HEIF file, as RGBA pixels. */
  function decode(input: { buffer: Uint8Array }): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
  export default decode;
}
