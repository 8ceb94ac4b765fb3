import { BadRequestException, Body, Controller, Get, Injectable, Param, Post, Query } from '@nestjs/common';
import * as vm from 'node:vm';

export class PreviewRuleDto {
  expression!: string;
  sample?: Record<string, number>;
}

export class CreateRuleDto {
  name!: string;
  condition!: string;
  metric!: string;
  threshold!: number;
  operator!: 'gt' | 'lt' | 'eq';
}

export class RatioDto {
  numerator!: number;
  denominator!: number;
}

type Metrics = Record<string, number>;

const COMPARATORS: Record<CreateRuleDto['operator'], (a: number, b: number) => boolean> = {
  gt: (a, b) => a > b,
  lt: (a, b) => a < b,
  eq: (a, b) => a === b,
};

const RATIO_SCRIPT = new vm.Script('denominator === 0 ? 0 : numerator / denominator'); // snag-ok: code-injection

@Injectable()
export class AlertRulesService {
  private readonly compiled = new Map<string, (m: Metrics) => boolean>();

  compileCondition(name: string, condition: string): void {
    const check = new Function('metrics', `with (metrics) { return Boolean(${condition}); }`) as (m: Metrics) => boolean; // snag-expect: code-injection
    this.compiled.set(name, check);
  }

  compileThreshold(name: string, metric: string, operator: CreateRuleDto['operator'], threshold: number): void {
    const compare = COMPARATORS[operator];
    this.compiled.set(name, (m) => compare(m[metric] ?? 0, threshold));
  }

  runInSandbox(code: string, sample: Metrics): unknown {
    const context = vm.createContext({ ...sample });
    return vm.runInNewContext(code, context, { timeout: 50 }); // snag-expect: code-injection
  }

  ratio(values: RatioDto): number {
    return RATIO_SCRIPT.runInNewContext({ numerator: values.numerator, denominator: values.denominator }) as number; // snag-ok: code-injection
  }

  weightedSum(sample: Metrics): number {
    return vm.runInNewContext('cpu * 0.5 + memory * 0.3 + disk * 0.2', { cpu: 0, memory: 0, disk: 0, ...sample }) as number; // snag-ok: code-injection
  }
}

@Controller('alert-rules')
export class AlertRulesController {
  constructor(private readonly rules: AlertRulesService) {}

  @Post('preview')
  preview(@Body() dto: PreviewRuleDto) {
    return { value: this.rules.runInSandbox(dto.expression, dto.sample ?? {}) };
  }

  @Post()
  create(@Body() dto: CreateRuleDto) {
    if (dto.condition) {
      this.rules.compileCondition(dto.name, dto.condition);
    } else {
      this.rules.compileThreshold(dto.name, dto.metric, dto.operator, dto.threshold);
    }
    return { created: dto.name };
  }

  @Get('quick-eval')
  quickEval(@Query('expr') expr: string) {
    if (!expr) {
      throw new BadRequestException('expr is required');
    }
    return { value: eval(expr) }; // snag-expect: code-injection
  }

  @Post('ratio')
  ratio(@Body() dto: RatioDto) {
    return { value: this.rules.ratio(dto) };
  }

  @Post('weighted')
  weighted(@Body() sample: Metrics) {
    return { value: this.rules.weightedSum(sample) };
  }

  @Post('import')
  importRules(@Body('payload') payload: string) {
    const parsed = JSON.parse(payload) as CreateRuleDto[]; // snag-ok: code-injection
    return { count: parsed.length };
  }

  @Get(':name/debug')
  debug(@Param('name') name: string, @Query('probe') probe: string) {
    return { value: vm.runInThisContext(`globalThis.__ruleDebug?.(${JSON.stringify(name)}, ${probe})`) }; // snag-expect: code-injection
  }
}
