import { CliCommand, UsageError, faultList, helpText, parseCli } from '../src/cli';

const MODEL = 'examples/passenger-car.model.yaml';
const parse = (line: string): CliCommand => parseCli(line.split(' ').filter(Boolean), MODEL);
const usage = (line: string): string => {
  try {
    parse(line);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no usage error for: ${line}`);
};

describe('parseCli', () => {
  it('reads the documented command line', () => {
    const command = parse(
      '--assets 200 --broker mqtt://localhost:1883 --seed 7 --rate 1 --time-scale 60 --sparkplug-share 0.2 --fault car-0003:brake-wear@60 --username u --password p',
    );
    expect(command).toEqual({
      kind: 'run',
      options: expect.objectContaining({
        assets: 200,
        broker: 'mqtt://localhost:1883',
        seed: 7,
        rate: 1,
        timeScale: 60,
        sparkplugShare: 0.2,
        faults: [{ vehicle: 'car-0003', fault: 'brake-wear', onset: 60 }],
        username: 'u',
        password: 'p',
        model: MODEL,
      }),
    });
  });

  it('has defaults for everything', () => {
    const command = parse('');
    expect(command.kind === 'run' && command.options).toEqual({
      assets: 10,
      broker: 'mqtt://localhost:1883',
      seed: 1,
      rate: 1,
      timeScale: 1,
      sparkplugShare: 0,
      faults: [],
      model: MODEL,
      group: 'pss',
      topicPrefix: 'vehicles',
      clientPrefix: 'pss-sim-',
      statsEveryMs: 10_000,
      reconnectMinMs: 500,
      reconnectMaxMs: 30_000,
      verbose: false,
    });
  });

  it('reads repeated faults with ramps, start times and durations', () => {
    const command = parse('--fault car-0001:impact@0 --fault car-0002:oil-leak@2h/30m --start 2025-01-01T08:00:00Z --duration 1m30s --stats 0');
    expect(command.kind === 'run' && command.options).toEqual(
      expect.objectContaining({
        faults: [
          { vehicle: 'car-0001', fault: 'impact', onset: 0 },
          { vehicle: 'car-0002', fault: 'oil-leak', onset: 7200, ramp: 1800 },
        ],
        start: Date.UTC(2025, 0, 1, 8),
        durationMs: 90_000,
        statsEveryMs: 0,
      }),
    );
  });

  it('help and the fault list', () => {
    expect(parse('--help')).toEqual({ kind: 'help' });
    expect(parse('-h --assets 0')).toEqual({ kind: 'help' });
    expect(parse('--list-faults')).toEqual({ kind: 'list-faults' });
    expect(helpText(MODEL)).toContain('--sparkplug-share <f>');
    expect(faultList()).toContain('brake-wear     ss.braking       p.braking.pad-fl.pad_thickness < 3  (ramp 2h)');
  });

  it.each([
    ['--assets 0', '--assets must be an integer from 1 to 9999, got "0"'],
    ['--assets 2.5', '--assets must be an integer'],
    ['--assets many', '--assets must be an integer'],
    ['--rate 0', '--rate must be a number > 0 and <= 100'],
    ['--rate fast', '--rate must be a number, got "fast"'],
    ['--time-scale=-1', '--time-scale must be a number > 0'],
    ['--sparkplug-share 1.5', '--sparkplug-share must be a number from 0 to 1'],
    ['--seed=-3', '--seed must be an integer from 0 to 4294967295'],
    ['--broker localhost:1883', 'unsupported protocol "localhost:"'],
    ['--broker http://x', 'unsupported protocol "http:"'],
    ['--broker nourl', '--broker must be a URL'],
    ['--password p', '--password needs --username'],
    ['--fault car-0003:brakes@60', 'unknown fault "brakes"'],
    ['--fault car-0003', 'cannot read fault "car-0003"'],
    ['--assets 2 --fault car-0003:impact@0', 'no vehicle "car-0003" in a fleet of 2 (car-0001 … car-0002)'],
    ['--fault car-0001:impact@5x', 'unknown duration unit "x"'],
    ['--start yesterday', '--start must be an ISO 8601 time'],
    ['--duration 0', '--duration must be > 0'],
    ['--group a/b', '--group must be non-empty without "/"'],
    ['--topic-prefix vehicles/#', '--topic-prefix must be topic levels without wildcards'],
    ['--reconnect-min 5000 --reconnect-max 100', '--reconnect-max (100) must be >= --reconnect-min (5000)'],
    ['--assets', "Option '--assets <value>' argument missing"],
    ['--seed -3', "Option '--seed' argument is ambiguous"],
    ['--bogus', "Unknown option '--bogus'"],
    ['extra', "Unexpected argument 'extra'"],
  ])('%s → usage error', (line, message) => {
    expect(usage(line)).toContain(message);
  });
});
