// app/api/calc/route.ts — the calculator widget behind the pricing page
import { evaluate } from 'mathjs';
import { NextRequest, NextResponse } from 'next/server';

const DISCOUNT_FORMULA = 'price * quantity * (1 - discount)';

export async function GET(request: NextRequest) {
  const expr = request.nextUrl.searchParams.get('expr') ?? '0';
  try {
    return NextResponse.json({ value: eval(expr) }); // snag-expect: code-injection
  } catch {
    return NextResponse.json({ error: 'could not evaluate' }, { status: 422 });
  }
}

export async function POST(request: NextRequest) {
  const { expression, scope } = (await request.json()) as { expression: string; scope?: Record<string, number> };
  const value = evaluate(expression, scope ?? {}); // snag-ok: code-injection
  return NextResponse.json({ value });
}

export async function PUT(request: NextRequest) {
  const body = JSON.parse(await request.text()) as { formula: string; vars: Record<string, number> }; // snag-ok: code-injection
  const names = Object.keys(body.vars);
  const fn = Function(...names, `"use strict"; return (${body.formula});`); // snag-expect: code-injection
  return NextResponse.json({ value: fn(...Object.values(body.vars)) });
}

export async function PATCH(request: NextRequest) {
  const { price, quantity, discount } = (await request.json()) as Record<string, number>;
  const fn = new Function('price', 'quantity', 'discount', `return ${DISCOUNT_FORMULA};`); // snag-ok: code-injection
  return NextResponse.json({ value: fn(price, quantity, discount) });
}
