/** The part of word-extractor 1.0 (MIT, github.com/morungos/node-word-extractor) this code uses; it ships no types. */
declare module 'word-extractor' {
  interface TextOptions {
    readonly filterUnicode?: boolean;
  }
  interface WordDocument {
    getBody(options?: TextOptions): string;
    getFootnotes(options?: TextOptions): string;
    getEndnotes(options?: TextOptions): string;
    getHeaders(options?: TextOptions & { readonly includeFooters?: boolean }): string;
    getAnnotations(options?: TextOptions): string;
    getTextboxes(options?: TextOptions & { readonly includeHeadersAndFooters?: boolean; readonly includeBody?: boolean }): string;
  }
  export default class WordExtractor {
    extract(source: Buffer | string): Promise<WordDocument>;
  }
}
