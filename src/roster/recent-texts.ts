/**
 * Answers for the last few texts asked about. A message's pieces are scanned by several
 * detectors in turn, each asking the directory about the same texts; keeping recent answers
 * makes the second and later asks free. Bounded in entries and in total characters, so a large
 * attachment's text is not kept alive.
 */
export class RecentTexts<Answer> {
  private readonly answers = new Map<string, Answer>();
  private characters = 0;

  constructor(
    private readonly maxTexts = 8,
    private readonly maxCharacters = 512 * 1024,
  ) {}

  get(text: string): Answer | undefined {
    const answer = this.answers.get(text);
    if (answer !== undefined) {
      this.answers.delete(text);
      this.answers.set(text, answer);
    }
    return answer;
  }

  remember(text: string, answer: Answer): Answer {
    if (text.length > this.maxCharacters || this.answers.has(text)) return answer;
    this.answers.set(text, answer);
    this.characters += text.length;
    for (const oldest of this.answers.keys()) {
      if (this.answers.size <= this.maxTexts && this.characters <= this.maxCharacters) break;
      this.answers.delete(oldest);
      this.characters -= oldest.length;
    }
    return answer;
  }
}
