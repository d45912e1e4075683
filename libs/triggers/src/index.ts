// @pss/triggers: trigger conditions at the edge (MODEL.md section 6). A pure library: the
// condition language (lexer, parser, type checker, compiler), incremental window state, and the
// trigger engine that turns samples into firings and a trigger matrix per asset.
export * from './errors';
export * from './duration';
export * from './ast';
export { type Token, type TokenKind, type LexOptions, tokenize } from './lexer';
export * from './parser';
export { F, T, U, type Truth, type EvalState, type SlotResolver, type BoolFn, type NumFn, compileBool, compileNum, constantValue } from './compile';
export * from './series';
export * from './conditions';
export * from './engine';
