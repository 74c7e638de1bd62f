//! What a bot does, decided from what its cache shows: flee the nearest piece that could eat
//! it, else chase the nearest thing it can eat (food or a smaller piece), splitting to catch
//! a piece that is close; with nothing in sight, wander.

use crate::rows::{can_eat, radius, reachable, Arena, Piece};

/// Distance beyond a threat's reach at which a bot starts running.
pub const FLEE_MARGIN: f32 = 40.0;
/// A piece this much bigger than the minimum split size may split to catch prey.
pub const SPLIT_AT_MASS: u32 = 60;

/// One decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// The stick: a unit vector, or zero.
    pub dx: f32,
    pub dy: f32,
    pub split: bool,
}

fn toward(from: (f32, f32), to: (f32, f32)) -> (f32, f32) {
    let (x, y) = (to.0 - from.0, to.1 - from.1);
    let d = (x * x + y * y).sqrt();
    if d < 1e-3 {
        (0.0, 0.0)
    } else {
        (x / d, y / d)
    }
}

fn dist(a: &Piece, x: f32, y: f32) -> f32 {
    ((a.entity.x - x).powi(2) + (a.entity.y - y).powi(2)).sqrt()
}

/// Decides for player `me`; `wander` is the bot's own heading when nothing is in sight.
/// `None` when the player has no piece in sight (dead, or not yet spawned).
pub fn decide(arena: &Arena, me: u32, wander: (f32, f32)) -> Option<Decision> {
    let mine: Vec<Piece> = arena.pieces().filter(|p| p.player_id == me).collect();
    let big = *mine
        .iter()
        .max_by_key(|p| (p.entity.mass, p.entity.entity_id))?;
    let small = mine
        .iter()
        .map(|p| p.entity.mass)
        .min()
        .unwrap_or(big.entity.mass);
    let at = (big.entity.x, big.entity.y);
    let side = arena.world_size();

    let threat = arena
        .pieces()
        .filter(|p| p.player_id != me && can_eat(p.entity.mass, small))
        .map(|p| (dist(&p, at.0, at.1) - radius(p.entity.mass), p))
        .filter(|(d, _)| *d < FLEE_MARGIN)
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, t)) = threat {
        let (dx, dy) = toward((t.entity.x, t.entity.y), at);
        return Some(Decision {
            dx,
            dy,
            split: false,
        });
    }

    let prey = arena
        .entities
        .values()
        .filter(|e| arena.owners.get(&e.entity_id).is_none_or(|&o| o != me))
        .filter(|e| can_eat(big.entity.mass, e.mass))
        .filter(|e| reachable(big.entity.mass, e.x, e.y, side))
        .map(|e| (((e.x - at.0).powi(2) + (e.y - at.1).powi(2)).sqrt(), e))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    match prey {
        Some((d, e)) => {
            let (dx, dy) = toward(at, (e.x, e.y));
            let is_piece = arena.owners.contains_key(&e.entity_id);
            let split = is_piece
                && big.entity.mass >= SPLIT_AT_MASS
                && can_eat(big.entity.mass / 2, e.mass)
                && d < 3.0 * radius(big.entity.mass);
            Some(Decision { dx, dy, split })
        }
        None => Some(Decision {
            dx: wander.0,
            dy: wander.1,
            split: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::Entity;

    fn arena(pieces: &[(u32, u32, f32, f32, u32)], food: &[(u32, f32, f32, u32)]) -> Arena {
        let mut a = Arena::default();
        for &(id, owner, x, y, mass) in pieces {
            a.entities.insert(
                id,
                Entity {
                    entity_id: id,
                    x,
                    y,
                    mass,
                    cell: 0,
                },
            );
            a.owners.insert(id, owner);
        }
        for &(id, x, y, mass) in food {
            a.entities.insert(
                id,
                Entity {
                    entity_id: id,
                    x,
                    y,
                    mass,
                    cell: 0,
                },
            );
        }
        a
    }

    #[test]
    fn a_bot_runs_from_a_bigger_piece_before_it_chases_food() {
        // Food to the east, a big piece just west: run east (away), not toward the food west.
        let a = arena(
            &[(1, 7, 100.0, 100.0, 15), (2, 8, 80.0, 100.0, 40)],
            &[(3, 60.0, 100.0, 1)],
        );
        let d = decide(&a, 7, (0.0, 1.0)).unwrap();
        assert!(d.dx > 0.9, "{d:?}");
    }

    #[test]
    fn a_bot_chases_the_nearest_food_it_can_eat() {
        let a = arena(
            &[(1, 7, 100.0, 100.0, 15)],
            &[(3, 100.0, 150.0, 1), (4, 100.0, 20.0, 1)],
        );
        let d = decide(&a, 7, (1.0, 0.0)).unwrap();
        assert!(d.dy > 0.9, "{d:?}");
        assert!(!d.split);
    }

    #[test]
    fn a_big_bot_passes_over_food_in_a_corner_it_cannot_reach() {
        // Mass 400 (radius 40) is held 40 from each wall: the pellet at (2, 2) is 53.7 from
        // the nearest centre it can have, out of reach; the one at (200, 40) is not.
        let mut a = arena(
            &[(1, 7, 60.0, 60.0, 400)],
            &[(3, 2.0, 2.0, 1), (4, 200.0, 40.0, 1)],
        );
        a.config = Some(crate::rows::Config {
            id: 0,
            world_size: 1000.0,
            cell_size: 100.0,
            food_target: 0,
            merge_after_micros: 0,
            tick_micros: 50_000,
            admin: Default::default(),
        });
        let d = decide(&a, 7, (0.0, 1.0)).unwrap();
        assert!(d.dx > 0.9, "{d:?}");
    }

    #[test]
    fn a_big_bot_splits_to_catch_a_close_small_piece() {
        let a = arena(&[(1, 7, 100.0, 100.0, 100), (2, 8, 130.0, 100.0, 15)], &[]);
        let d = decide(&a, 7, (0.0, 1.0)).unwrap();
        assert!(d.split && d.dx > 0.9, "{d:?}");
    }

    #[test]
    fn a_bot_without_pieces_decides_nothing() {
        let a = arena(&[(2, 8, 130.0, 100.0, 15)], &[]);
        assert_eq!(decide(&a, 7, (0.0, 1.0)), None);
    }
}
