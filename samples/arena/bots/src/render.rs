//! A picture of the arena as a client's cache holds it: food as small dots, each player's
//! pieces as discs in the player's colour, drawn with plotters into a PNG.

use std::path::Path;

use plotters::prelude::*;

use crate::rows::{radius, Arena};

/// Pixels per side of the picture.
pub const PICTURE_PIXELS: u32 = 800;

/// A colour per player, spread around the hue circle.
fn colour(player_id: u32) -> RGBColor {
    let h = (player_id.wrapping_mul(137) % 360) as f64 / 60.0;
    let x = 1.0 - (h % 2.0 - 1.0).abs();
    let (r, g, b) = match h as u32 {
        0 => (1.0, x, 0.0),
        1 => (x, 1.0, 0.0),
        2 => (0.0, 1.0, x),
        3 => (0.0, x, 1.0),
        4 => (x, 0.0, 1.0),
        _ => (1.0, 0.0, x),
    };
    let c = |v: f64| (40.0 + v * 200.0) as u8;
    RGBColor(c(r), c(g), c(b))
}

/// Draws `arena` (every entity it holds) to a PNG at `path`.
pub fn render_png(arena: &Arena, path: &Path) -> anyhow::Result<()> {
    let world = arena.config.as_ref().map_or(1000.0, |c| c.world_size);
    let scale = f64::from(PICTURE_PIXELS) / f64::from(world);
    let root = BitMapBackend::new(path, (PICTURE_PIXELS, PICTURE_PIXELS)).into_drawing_area();
    let fail = |e: &dyn std::fmt::Display| anyhow::anyhow!("drawing {}: {e}", path.display());
    root.fill(&RGBColor(18, 20, 28)).map_err(|e| fail(&e))?;
    let at = |x: f32, y: f32| ((f64::from(x) * scale) as i32, (f64::from(y) * scale) as i32);
    let mut entities: Vec<_> = arena.entities.values().collect();
    // Small first, so big pieces are drawn over what they are about to eat.
    entities.sort_by_key(|e| (e.mass, e.entity_id));
    for e in entities {
        let r = ((f64::from(radius(e.mass)) * scale).round() as i32).max(1);
        let style = match arena.owners.get(&e.entity_id) {
            Some(&p) => colour(p).filled(),
            None => RGBColor(150, 200, 120).filled(),
        };
        root.draw(&Circle::new(at(e.x, e.y), r, style))
            .map_err(|e| fail(&e))?;
        if let Some(&p) = arena.owners.get(&e.entity_id) {
            root.draw(&Circle::new(
                at(e.x, e.y),
                r,
                colour(p).mix(0.9).stroke_width(2),
            ))
            .map_err(|e| fail(&e))?;
        }
    }
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}
