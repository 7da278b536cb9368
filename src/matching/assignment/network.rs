//! The flow network in contracted form ([`Network`]): members' and volunteers' candidate lists,
//! the assignment so far and the vertex potentials; building it (with the first potentials
//! from one pass over the acyclic network) and the outer loop that alternates a shortest-path
//! `search` with a zero-cost `sweep` until another member would not add weight.

/// The largest weight taken at face value; larger weights are treated as this value, which
/// keeps every path cost and potential far from `i64` overflow.
pub const MAX_WEIGHT: i64 = 1 << 40;

/// Distance of a vertex the search has not reached.
pub(super) const UNREACHED: i64 = i64::MAX;

/// Marks "no volunteer" in `assigned_to`.
pub(super) const NONE: usize = usize::MAX;

/// The flow network, kept in contracted form.
///
/// The full network is source → member → volunteer → sink. A member without a volunteer
/// ("free") is only ever entered from the source, and with potential 0 (the source's) the
/// reduced cost of source → free member `m` → volunteer `v` is `-pot[v] - w(m, v)`: the
/// member's own potential cancels. So free members are not search vertices at all: each
/// volunteer offers its heaviest free candidate as a direct arc from the source. The search
/// graph has the volunteers, the members already placed, and the sink (source and free
/// members have potential 0 throughout). A placed member never becomes free again, because a
/// shortest path never returns to the source.
///
/// Vertex numbering for potentials and distances: volunteer `v` is `v`, member `m` is
/// `volunteers + m`, the sink is `volunteers + members`.
pub(super) struct Network {
    pub(super) members: usize,
    pub(super) volunteers: usize,
    pub(super) capacity: Vec<u32>,
    /// Each member's candidates: `member_vol[i]` / `member_w[i]` for `i` in
    /// `member_start[m]..member_start[m + 1]`.
    pub(super) member_start: Vec<usize>,
    pub(super) member_vol: Vec<usize>,
    pub(super) member_w: Vec<i64>,
    /// Each volunteer's candidates, heaviest first: `cand_member[i]` / `cand_w[i]` for `i` in
    /// `cand_start[v]..cand_start[v + 1]`; `cand_next[v]` skips those already placed.
    pub(super) cand_start: Vec<usize>,
    pub(super) cand_member: Vec<usize>,
    pub(super) cand_w: Vec<i64>,
    pub(super) cand_next: Vec<usize>,
    /// `assigned_to[m]`: the member's volunteer, or `NONE`; `assigned_w[m]`: that edge's
    /// weight.
    pub(super) assigned_to: Vec<usize>,
    pub(super) assigned_w: Vec<i64>,
    /// Members placed with each volunteer.
    pub(super) holders: Vec<Vec<usize>>,
    /// Potentials: every residual arc has `cost + pot[tail] - pot[head] >= 0`.
    pub(super) pot: Vec<i64>,
}

impl Network {
    pub(super) fn new(members: usize, capacity: &[u32], edges: &[(u32, u32, i64)]) -> Self {
        let volunteers = capacity.len();
        let mut list: Vec<(u32, u32, i64)> = edges
            .iter()
            .filter(|&&(m, v, w)| {
                w > 0
                    && (m as usize) < members
                    && (v as usize) < volunteers
                    && capacity[v as usize] > 0
            })
            .map(|&(m, v, w)| (m, v, w.min(MAX_WEIGHT)))
            .collect();
        // Heaviest first within a pair, so `dedup_by` keeps it.
        list.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)).then(y.2.cmp(&x.2)));
        list.dedup_by(|later, kept| later.0 == kept.0 && later.1 == kept.1);

        let mut member_start = vec![0_usize; members + 1];
        for &(m, _, _) in &list {
            member_start[m as usize + 1] += 1;
        }
        for m in 0..members {
            member_start[m + 1] += member_start[m];
        }
        // `list` is sorted by member, so it is already in member order.
        let member_vol: Vec<usize> = list.iter().map(|e| e.1 as usize).collect();
        let member_w: Vec<i64> = list.iter().map(|e| e.2).collect();

        let mut by_vol: Vec<(u32, i64, u32)> = list.iter().map(|&(m, v, w)| (v, w, m)).collect();
        by_vol.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)).then(x.2.cmp(&y.2)));
        let mut cand_start = vec![0_usize; volunteers + 1];
        for &(v, _, _) in &by_vol {
            cand_start[v as usize + 1] += 1;
        }
        for v in 0..volunteers {
            cand_start[v + 1] += cand_start[v];
        }
        let cand_member: Vec<usize> = by_vol.iter().map(|e| e.2 as usize).collect();
        let cand_w: Vec<i64> = by_vol.iter().map(|e| e.1).collect();
        let cand_next = cand_start[..volunteers].to_vec();

        // Initial potentials: shortest distances from the source in the (acyclic) network.
        let sink = volunteers + members;
        let mut pot = vec![0_i64; sink + 1];
        for v in 0..volunteers {
            if cand_start[v] < cand_start[v + 1] {
                // Heaviest candidate first.
                pot[v] = -cand_w[cand_start[v]];
                pot[sink] = pot[sink].min(pot[v]);
            }
        }

        Network {
            members,
            volunteers,
            capacity: capacity.to_vec(),
            member_start,
            member_vol,
            member_w,
            cand_start,
            cand_member,
            cand_w,
            cand_next,
            assigned_to: vec![NONE; members],
            assigned_w: vec![0; members],
            holders: vec![Vec::new(); volunteers],
            pot,
        }
    }

    pub(super) fn sink(&self) -> usize {
        self.volunteers + self.members
    }

    /// The heaviest still-free candidate of volunteer `v`: (weight, member).
    pub(super) fn best_free(&mut self, v: usize) -> Option<(i64, usize)> {
        let end = self.cand_start[v + 1];
        while self.cand_next[v] < end {
            let i = self.cand_next[v];
            if self.assigned_to[self.cand_member[i]] == NONE {
                return Some((self.cand_w[i], self.cand_member[i]));
            }
            self.cand_next[v] += 1;
        }
        None
    }

    /// Whether volunteer `v` has a free place.
    pub(super) fn has_room(&self, v: usize) -> bool {
        (self.holders[v].len() as u64) < u64::from(self.capacity[v])
    }

    pub(super) fn solve(&mut self) {
        let n = self.sink() + 1;
        let mut dist = vec![UNREACHED; n];
        let mut touched = Vec::new();
        let mut done = vec![false; n];
        let mut dead = vec![false; n];
        let mut on_path = vec![false; n];
        // Every search either stops or is followed by at least one augmentation, and there
        // are at most `members` augmentations; the bound only guards against the impossible.
        for _ in 0..=self.members {
            if !self.search(&mut dist, &mut touched, &mut done) {
                return;
            }
            // Cost of the cheapest augmenting path (the source's potential is 0); stop once
            // it would not add weight.
            if self.pot[self.sink()] >= 0 {
                return;
            }
            self.sweep(&mut dead, &mut on_path);
        }
    }

    pub(super) fn assignment(&self) -> Vec<Option<u32>> {
        self.assigned_to
            .iter()
            .map(|&v| {
                if v == NONE {
                    None
                } else {
                    u32::try_from(v).ok()
                }
            })
            .collect()
    }
}
