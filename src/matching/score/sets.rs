//! Queries on a packed [`Batch`]: pushing and searching its sorted id sets, tag-weight sums
//! over them, how close a condition list comes to a focus condition, group relations and
//! exclusions. The rules in `constraints`, `soft` and `candidates` are built from these.

use super::idf::DEFAULT_IDF;
use super::packed::{Batch, NONE, Set, Span};

impl Batch {
    pub(super) fn push_set(&mut self, ids: impl Iterator<Item = u32>) -> Set {
        let mut v: Vec<u32> = ids.filter(|i| *i != NONE).collect();
        v.sort_unstable();
        v.dedup();
        let sig = v.iter().fold(0u64, |s, i| s | 1u64 << (i % 64));
        let start = self.ids.len() as u32;
        let len = v.len() as u32;
        self.ids.extend(v);
        Set {
            span: Span { start, len },
            sig,
        }
    }

    pub(super) fn push_conds(&mut self, conds: impl Iterator<Item = (u32, u32)>) -> Span {
        let start = self.conds.len() as u32;
        self.conds.extend(conds);
        Span {
            start,
            len: self.conds.len() as u32 - start,
        }
    }

    pub(super) fn slice(&self, s: Set) -> &[u32] {
        let start = s.span.start as usize;
        self.ids
            .get(start..start + s.span.len as usize)
            .unwrap_or(&[])
    }

    fn cond_slice(&self, s: Span) -> &[(u32, u32)] {
        let start = s.start as usize;
        self.conds.get(start..start + s.len as usize).unwrap_or(&[])
    }

    pub(super) fn contains(&self, s: Set, id: u32) -> bool {
        id != NONE && s.sig & (1u64 << (id % 64)) != 0 && self.slice(s).binary_search(&id).is_ok()
    }

    pub(super) fn intersects(&self, a: Set, b: Set, exact: bool) -> bool {
        if a.sig & b.sig == 0 {
            return false;
        }
        if exact {
            return true;
        }
        let (x, y) = (self.slice(a), self.slice(b));
        let (mut i, mut j) = (0, 0);
        while let (Some(p), Some(q)) = (x.get(i), y.get(j)) {
            match p.cmp(q) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    fn weight_of(&self, tag: u32) -> f64 {
        self.tag_weight
            .get(tag as usize)
            .copied()
            .unwrap_or(DEFAULT_IDF)
    }

    pub(super) fn weight_sum(&self, s: Set) -> f64 {
        self.slice(s).iter().map(|t| self.weight_of(*t)).sum()
    }

    /// Σ w_t over the tags in both sets, summed in id order.
    pub(super) fn common_weight(&self, a: Set, b: Set) -> f64 {
        let common = a.sig & b.sig;
        if common == 0 {
            return 0.0;
        }
        let mut sum = 0.0;
        if self.tag_exact {
            let mut bits = common;
            while bits != 0 {
                let t = bits.trailing_zeros();
                sum += self.weight_of(t);
                bits &= bits - 1;
            }
            return sum;
        }
        let (x, y) = (self.slice(a), self.slice(b));
        let (mut i, mut j) = (0, 0);
        while let (Some(p), Some(q)) = (x.get(i), y.get(j)) {
            match p.cmp(q) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.weight_of(*p);
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }

    pub(super) fn relation(&self, g: u32, h: u32) -> u8 {
        if g == NONE || h == NONE {
            return 0;
        }
        self.rel
            .get(g as usize * self.n_groups + h as usize)
            .copied()
            .unwrap_or(0)
    }

    pub(super) fn related(&self, g: u32, h: u32, both_mental: bool) -> bool {
        match self.relation(g, h) {
            1 => true,
            2 => both_mental,
            _ => false,
        }
    }

    /// best(primary, C): 1 same condition, 0.5 same group, 0.25 related group, else 0.
    pub(super) fn best(
        &self,
        focus_cond: u32,
        focus_group: u32,
        conds: Span,
        both_mental: bool,
    ) -> f64 {
        let mut best: f64 = 0.0;
        for (c, g) in self.cond_slice(conds) {
            if *c == focus_cond && *c != NONE {
                return 1.0;
            }
            if *g == focus_group && *g != NONE {
                best = best.max(0.5);
            } else if self.related(focus_group, *g, both_mental) {
                best = best.max(0.25);
            }
        }
        best
    }

    pub(super) fn any_related(&self, a: Set, b: Set, both_mental: bool) -> bool {
        self.slice(a).iter().any(|g| {
            self.slice(b)
                .iter()
                .any(|h| self.related(*g, *h, both_mental))
        })
    }

    pub(super) fn is_excluded(&self, u: u32, v: u32) -> bool {
        self.excluded.contains(&(u.min(v), u.max(v)))
    }
}
