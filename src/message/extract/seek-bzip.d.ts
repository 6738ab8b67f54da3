/** The part of seek-bzip 2 (MIT, github.com/cscott/seek-bzip) this code uses; it ships no types. */
declare module 'seek-bzip' {
  interface OutputStream {
    writeByte(byte: number): void;
  }
  const Bunzip: {
    /** Decodes a whole bzip2 file into `output`; throws on damaged input. */
    decode(input: Buffer, output: OutputStream, multistream?: boolean): void;
  };
  export default Bunzip;
}
