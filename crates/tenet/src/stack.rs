//! Stack headroom for the recursive walks over expressions.
//!
//! The parser, the formatter, the checker and the evaluator recurse once per
//! level of an expression. The size limits in [`crate::syntax::Limits`]
//! bound that depth, but not the bytes each level takes, which depend on
//! the build (an unoptimised build uses several kilobytes per level) and
//! on the caller's thread (a worker thread may have 256 KiB). Each walk
//! goes through [`guard`], which moves onto a fresh heap segment when the
//! current stack runs low, so any thread can evaluate any policy that is
//! within the limits.

/// Space left on the stack below which [`guard`] switches to a new segment.
const RED_ZONE: usize = 128 * 1024;
/// Size of each new segment.
const SEGMENT: usize = 4 << 20;

/// Runs `f`, first moving to a new stack segment if little stack is left.
pub(crate) fn guard<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

/// Stack the grammar needs for a file at the nesting limit: pest recurses
/// a dozen rules per bracket and stops with "stack limit reached" when
/// less than 64 KiB is left, so it gets a segment of its own up front.
const PARSER_ZONE: usize = 2 << 20;

/// Runs the grammar with at least [`PARSER_ZONE`] of stack.
pub(crate) fn guard_parser<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(PARSER_ZONE, SEGMENT, f)
}
