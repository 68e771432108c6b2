/** Remembers recent Genesys token rotations, to tell how long after one a failure began (docs/design.md, 'Incidents'). */
export class RotationTracker {
  private readonly times: number[] = [];

  /** `watchingSince`: when trunkgate started listening (a failure before any rotation is described from here). */
  constructor(
    readonly watchingSince: number,
    private readonly keep = 20,
  ) {}

  record(at: number): void {
    this.times.push(at);
    if (this.times.length > this.keep) this.times.shift();
  }

  rotations(): readonly number[] {
    return this.times;
  }
}
