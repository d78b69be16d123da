//! Filling a polygon with holes: each hole is joined to the outer ring by a bridge to a vertex
//! it can see, and the one ring that results is cut into triangles by clipping ears. A grid of
//! the reflex vertices keeps the ear test local, so a coastline of thousands of vertices is cut
//! in about linear time.

use std::ops::Range;

type Point = [f64; 2];

/// Twice the signed area of triangle `a b c`: positive when it turns left.
fn turn(a: Point, b: Point, c: Point) -> f64 {
    (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
}

/// Twice the signed area of a ring.
pub(crate) fn ring_area(points: &[Point]) -> f64 {
    let mut area = 0.0;
    for (i, a) in points.iter().enumerate() {
        let b = points[(i + 1) % points.len()];
        area += a[0] * b[1] - b[0] * a[1];
    }
    area
}

/// Whether `p` is inside triangle `a b c` (which turns left) or on its edges.
fn in_triangle(a: Point, b: Point, c: Point, p: Point) -> bool {
    turn(a, b, p) >= 0.0 && turn(b, c, p) >= 0.0 && turn(c, a, p) >= 0.0
}

#[derive(Clone, Copy)]
struct Node {
    /// Index of the node's point in the caller's points.
    point: u32,
    prev: u32,
    next: u32,
    removed: bool,
}

struct Rings<'a> {
    points: &'a [Point],
    nodes: Vec<Node>,
}

impl Rings<'_> {
    fn at(&self, node: u32) -> Point {
        self.points[self.nodes[node as usize].point as usize]
    }

    fn next(&self, node: u32) -> u32 {
        self.nodes[node as usize].next
    }

    fn prev(&self, node: u32) -> u32 {
        self.nodes[node as usize].prev
    }

    /// Links the ring's points into a cycle turning left (`left`) or right; its first node.
    fn link(&mut self, ring: Range<usize>, left: bool) -> Option<u32> {
        let slice = &self.points[ring.clone()];
        let area = ring_area(slice);
        if slice.len() < 3 || area == 0.0 || !area.is_finite() {
            return None;
        }
        let mut order: Vec<usize> = ring.collect();
        if (area > 0.0) != left {
            order.reverse();
        }
        let first = self.nodes.len() as u32;
        let count = order.len() as u32;
        for (i, point) in order.into_iter().enumerate() {
            let i = i as u32;
            self.nodes.push(Node {
                point: point as u32,
                prev: first + (i + count - 1) % count,
                next: first + (i + 1) % count,
                removed: false,
            });
        }
        Some(first)
    }

    fn copy_of(&mut self, node: u32) -> u32 {
        let copy = self.nodes[node as usize];
        self.nodes.push(copy);
        (self.nodes.len() - 1) as u32
    }

    /// Whether the segment from `node` towards `target` leaves `node` into the polygon.
    fn locally_inside(&self, node: u32, target: Point) -> bool {
        let (a, n, b) = (
            self.at(self.prev(node)),
            self.at(node),
            self.at(self.next(node)),
        );
        if turn(a, n, b) >= 0.0 {
            turn(a, n, target) >= 0.0 && turn(n, b, target) >= 0.0
        } else {
            turn(a, n, target) >= 0.0 || turn(n, b, target) >= 0.0
        }
    }

    /// Joins the hole starting at `hole` to the cycle through `outer` with a bridge from the
    /// hole's rightmost vertex to an outer vertex it can see. False when none was found.
    fn bridge(&mut self, outer: u32, hole: u32) -> bool {
        let mut m = hole;
        let mut node = self.next(hole);
        while node != hole {
            if self.at(node)[0] > self.at(m)[0] {
                m = node;
            }
            node = self.next(node);
        }
        let mp = self.at(m);

        // The nearest edge crossed by the ray from `m` towards +x.
        let mut hit: Option<(f64, u32)> = None;
        let mut node = outer;
        loop {
            let next = self.next(node);
            let (p, q) = (self.at(node), self.at(next));
            if (p[1] <= mp[1] && mp[1] <= q[1] || q[1] <= mp[1] && mp[1] <= p[1]) && p[1] != q[1] {
                let x = p[0] + (mp[1] - p[1]) * (q[0] - p[0]) / (q[1] - p[1]);
                if x >= mp[0] && hit.is_none_or(|(best, _)| x < best) {
                    let end = if p[0] >= q[0] { node } else { next };
                    hit = Some((x, end));
                }
            }
            node = next;
            if node == outer {
                break;
            }
        }
        let Some((x, edge_end)) = hit else {
            return false;
        };
        let hit_point = [x, mp[1]];

        // A vertex inside triangle m, hit, edge end may hide the edge end: the visible one
        // is the vertex inside making the smallest angle with the ray.
        let end_point = self.at(edge_end);
        let (a, b, c) = if turn(mp, hit_point, end_point) >= 0.0 {
            (mp, hit_point, end_point)
        } else {
            (mp, end_point, hit_point)
        };
        let mut best = edge_end;
        let mut best_key = (f64::INFINITY, f64::INFINITY);
        let mut node = outer;
        loop {
            let p = self.at(node);
            if p[0] >= mp[0] && in_triangle(a, b, c, p) && self.locally_inside(node, mp) {
                let dx = p[0] - mp[0];
                let dy = (p[1] - mp[1]).abs();
                let slope = if dx > 0.0 { dy / dx } else { f64::INFINITY };
                let key = (slope, dx * dx + dy * dy);
                if key < best_key {
                    best_key = key;
                    best = node;
                }
            }
            node = self.next(node);
            if node == outer {
                break;
            }
        }

        // outer: best → best_next, hole: m_prev → m → m_next
        // becomes best → m → m_next ... m_prev → m' → best' → best_next
        let m_copy = self.copy_of(m);
        let best_copy = self.copy_of(best);
        let best_next = self.next(best);
        let m_prev = self.prev(m);
        self.nodes[best as usize].next = m;
        self.nodes[m as usize].prev = best;
        self.nodes[m_prev as usize].next = m_copy;
        self.nodes[m_copy as usize].prev = m_prev;
        self.nodes[m_copy as usize].next = best_copy;
        self.nodes[best_copy as usize].prev = m_copy;
        self.nodes[best_copy as usize].next = best_next;
        self.nodes[best_next as usize].prev = best_copy;
        true
    }

    fn remove(&mut self, node: u32) {
        let Node { prev, next, .. } = self.nodes[node as usize];
        self.nodes[prev as usize].next = next;
        self.nodes[next as usize].prev = prev;
        self.nodes[node as usize].removed = true;
    }
}

/// The reflex vertices, bucketed by position, for the ear test.
struct Grid {
    min: Point,
    cell: Point,
    side: usize,
    /// Nodes of cell `i` are `nodes[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    nodes: Vec<u32>,
}

impl Grid {
    fn new(rings: &Rings, start: u32, count: usize) -> Grid {
        let mut min = [f64::INFINITY; 2];
        let mut max = [f64::NEG_INFINITY; 2];
        let mut reflex = Vec::new();
        let mut node = start;
        for _ in 0..count {
            let p = rings.at(node);
            for axis in 0..2 {
                min[axis] = min[axis].min(p[axis]);
                max[axis] = max[axis].max(p[axis]);
            }
            if turn(rings.at(rings.prev(node)), p, rings.at(rings.next(node))) <= 0.0 {
                reflex.push(node);
            }
            node = rings.next(node);
        }
        let side = ((reflex.len() as f64 / 2.0).sqrt().ceil() as usize).clamp(1, 512);
        let cell = [
            ((max[0] - min[0]) / side as f64).max(f64::MIN_POSITIVE),
            ((max[1] - min[1]) / side as f64).max(f64::MIN_POSITIVE),
        ];
        let mut grid = Grid {
            min,
            cell,
            side,
            starts: vec![0; side * side + 1],
            nodes: vec![0; reflex.len()],
        };
        let cells: Vec<usize> = reflex
            .iter()
            .map(|&node| {
                let p = rings.at(node);
                grid.index(grid.column(p[0]), grid.row(p[1]))
            })
            .collect();
        for &cell in &cells {
            grid.starts[cell + 1] += 1;
        }
        for i in 0..side * side {
            grid.starts[i + 1] += grid.starts[i];
        }
        let mut fill = grid.starts.clone();
        for (node, cell) in reflex.into_iter().zip(cells) {
            grid.nodes[fill[cell] as usize] = node;
            fill[cell] += 1;
        }
        grid
    }

    fn column(&self, x: f64) -> usize {
        (((x - self.min[0]) / self.cell[0]).max(0.0) as usize).min(self.side - 1)
    }

    fn row(&self, y: f64) -> usize {
        (((y - self.min[1]) / self.cell[1]).max(0.0) as usize).min(self.side - 1)
    }

    fn index(&self, column: usize, row: usize) -> usize {
        row * self.side + column
    }

    /// Whether some other vertex lies in ear `a b c` (which turns left), edges included.
    fn blocks(&self, rings: &Rings, ear: [u32; 3]) -> bool {
        let [a, b, c] = ear.map(|node| rings.at(node));
        let (x0, x1) = (a[0].min(b[0]).min(c[0]), a[0].max(b[0]).max(c[0]));
        let (y0, y1) = (a[1].min(b[1]).min(c[1]), a[1].max(b[1]).max(c[1]));
        for row in self.row(y0)..=self.row(y1) {
            for column in self.column(x0)..=self.column(x1) {
                let cell = self.index(column, row);
                let nodes = &self.nodes[self.starts[cell] as usize..self.starts[cell + 1] as usize];
                for &node in nodes {
                    if rings.nodes[node as usize].removed || ear.contains(&node) {
                        continue;
                    }
                    let p = rings.at(node);
                    if p != a && p != b && p != c && in_triangle(a, b, c, p) {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// Cuts a polygon into triangles. `points` holds every ring; `rings` gives each ring's range
/// in it, the outer ring first, then the holes (either winding; a ring need not repeat its
/// first point). Returns indices into `points`, three per triangle, all turning the same
/// way. A ring with fewer than three points or no area is left out; a ring that crosses
/// itself still gives triangles, some of them outside it.
pub(crate) fn triangulate(points: &[Point], rings: &[Range<usize>]) -> Vec<u32> {
    let mut triangles = Vec::new();
    let Some((outer, holes)) = rings.split_first() else {
        return triangles;
    };
    let mut linked = Rings {
        points,
        nodes: Vec::with_capacity(points.len() + 2 * holes.len()),
    };
    let Some(start) = linked.link(outer.clone(), true) else {
        return triangles;
    };
    let mut hole_starts: Vec<(f64, u32)> = holes
        .iter()
        .filter_map(|hole| {
            let first = linked.link(hole.clone(), false)?;
            let max_x = points[hole.clone()]
                .iter()
                .map(|p| p[0])
                .fold(f64::NEG_INFINITY, f64::max);
            Some((max_x, first))
        })
        .collect();
    // Rightmost first, so that a bridge never has to cross a hole not yet joined.
    hole_starts.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, hole) in hole_starts {
        linked.bridge(start, hole);
    }

    let mut remaining = 1;
    let mut node = linked.next(start);
    while node != start {
        remaining += 1;
        node = linked.next(node);
    }
    let grid = Grid::new(&linked, start, remaining);
    triangles.reserve(3 * remaining.saturating_sub(2));
    let emit = |triangles: &mut Vec<u32>, linked: &Rings, ear: [u32; 3]| {
        triangles.extend(ear.map(|node| linked.nodes[node as usize].point));
    };

    let mut node = start;
    let mut tried = 0;
    while remaining > 3 {
        let (a, c) = (linked.prev(node), linked.next(node));
        let bend = turn(linked.at(a), linked.at(node), linked.at(c));
        if bend == 0.0 {
            // A repeated point or a straight run: nothing to fill.
            linked.remove(node);
            remaining -= 1;
            node = c;
            tried = 0;
        } else if bend > 0.0 && !grid.blocks(&linked, [a, node, c]) {
            emit(&mut triangles, &linked, [a, node, c]);
            linked.remove(node);
            remaining -= 1;
            node = c;
            tried = 0;
        } else if tried > remaining {
            // A whole turn without an ear: the ring crosses itself. Clip the first vertex
            // that turns the right way, so that the loop always ends.
            let mut convex = node;
            for _ in 0..remaining {
                let (a, c) = (linked.prev(convex), linked.next(convex));
                if turn(linked.at(a), linked.at(convex), linked.at(c)) > 0.0 {
                    break;
                }
                convex = c;
            }
            let (a, c) = (linked.prev(convex), linked.next(convex));
            if turn(linked.at(a), linked.at(convex), linked.at(c)) > 0.0 {
                emit(&mut triangles, &linked, [a, convex, c]);
            }
            linked.remove(convex);
            remaining -= 1;
            node = c;
            tried = 0;
        } else {
            node = c;
            tried += 1;
        }
    }
    let (a, c) = (linked.prev(node), linked.next(node));
    if turn(linked.at(a), linked.at(node), linked.at(c)) > 0.0 {
        emit(&mut triangles, &linked, [a, node, c]);
    }
    triangles
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Triangles of a polygon of one ring, all of `points`.
    fn one_ring(points: &[Point]) -> Vec<u32> {
        triangulate(points, std::slice::from_ref(&(0..points.len())))
    }

    fn area_of(points: &[Point], triangles: &[u32]) -> f64 {
        triangles
            .chunks(3)
            .map(|t| {
                turn(
                    points[t[0] as usize],
                    points[t[1] as usize],
                    points[t[2] as usize],
                ) / 2.0
            })
            .sum()
    }

    #[test]
    fn a_concave_ring_is_filled_exactly() {
        // An L, clockwise.
        let points = [
            [0.0, 0.0],
            [0.0, 2.0],
            [1.0, 2.0],
            [1.0, 1.0],
            [2.0, 1.0],
            [2.0, 0.0],
        ];
        let triangles = one_ring(&points);
        assert_eq!(triangles.len(), 3 * 4);
        assert!((area_of(&points, &triangles) - 3.0).abs() < 1e-12);
        for t in triangles.chunks(3) {
            let [a, b, c] = [0, 1, 2].map(|i| points[t[i] as usize]);
            assert!(turn(a, b, c) > 0.0);
        }
    }

    #[test]
    fn holes_are_left_empty() {
        let mut points = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        points.extend([[2.0, 2.0], [4.0, 2.0], [4.0, 4.0], [2.0, 4.0]]);
        points.extend([[6.0, 6.0], [8.0, 6.0], [8.0, 8.0], [6.0, 8.0]]);
        let triangles = triangulate(&points, &[0..4, 4..8, 8..12]);
        assert!((area_of(&points, &triangles) - 92.0).abs() < 1e-9);
    }

    #[test]
    fn a_comb_with_many_teeth_is_filled_exactly() {
        let mut points = Vec::new();
        let teeth = 500;
        for i in 0..teeth {
            let x = i as f64 * 2.0;
            points.extend([[x, 0.0], [x, 10.0], [x + 1.0, 10.0], [x + 1.0, 1.0]]);
        }
        points.push([teeth as f64 * 2.0, 1.0]);
        points.push([teeth as f64 * 2.0, -1.0]);
        points.push([0.0, -1.0]);
        let triangles = one_ring(&points);
        let expected = ring_area(&points).abs() / 2.0;
        assert!(expected > 1000.0);
        assert!((area_of(&points, &triangles) - expected).abs() < 1e-6);
    }

    #[test]
    fn degenerate_rings_give_nothing_and_do_not_hang() {
        assert!(one_ring(&[[0.0, 0.0], [1.0, 1.0]]).is_empty());
        assert!(one_ring(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]).is_empty());
        assert!(triangulate(&[], &[]).is_empty());
        // A bow tie crosses itself: some triangles, no hang.
        let bow = [[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]];
        let triangles = one_ring(&bow);
        assert!(triangles.iter().all(|&i| i < 4));
    }
}
