// The closing line CI reads: how many journeys passed and failed.
export default class JourneyReporter {
  constructor() {
    this.passed = 0;
    this.failed = 0;
    this.skipped = 0;
  }

  onTestEnd(test, result) {
    if (result.status === 'skipped') this.skipped += 1;
    else if (result.status === test.expectedStatus && result.retry === 0) this.passed += 1;
    else if (result.status !== test.expectedStatus) this.failed += 1;
  }

  onEnd() {
    const skipped = this.skipped ? `, ${this.skipped} skipped` : '';
    process.stdout.write(`\ne2e journeys: ${this.passed} passed, ${this.failed} failed${skipped}\n`);
  }
}
