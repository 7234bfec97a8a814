//! The plan of an export: which rooms exist, of which kind, and how many
//! messages each one gets.
//!
//! The plan takes a few dozen bytes per room and nothing per message.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Share of rooms that are direct chats between two accounts.
const DIRECT_SHARE: f64 = 0.35;
/// Divisor of a direct chat's weight, which keeps direct chats small.
const DIRECT_WEIGHT_DIVISOR: u64 = 4;
/// Range of each of the three draws that sum to a weight's exponent.
const EXPONENT_DRAW_MAX: u32 = 6;

/// One room of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSlot {
    pub room_id: u64,
    pub direct: bool,
    pub messages: u64,
    /// Seed of the room's own random generator, so that a room's content
    /// does not depend on how many random draws earlier rooms took.
    pub seed: u64,
}

/// Plans `rooms` rooms that share `messages` messages. Room IDs are unique,
/// increasing and have 8 or 9 digits. Direct chats need two accounts, so
/// with fewer every room is a group chat.
pub fn plan_rooms(
    rng: &mut ChaCha8Rng,
    rooms: u32,
    messages: u64,
    accounts: usize,
) -> Vec<RoomSlot> {
    let mut slots = Vec::with_capacity(rooms as usize);
    let mut weights = Vec::with_capacity(rooms as usize);
    let mut room_id = rng.random_range(10_000_000..100_000_000u64);
    for _ in 0..rooms {
        room_id += rng.random_range(1..=5000);
        let direct = accounts >= 2 && rng.random_bool(DIRECT_SHARE);
        let mut weight = room_weight(rng);
        if direct {
            weight = (weight / DIRECT_WEIGHT_DIVISOR).max(1);
        }
        weights.push(weight);
        slots.push(RoomSlot {
            room_id,
            direct,
            messages: 0,
            seed: rng.random(),
        });
    }

    for (slot, count) in slots.iter_mut().zip(allocate(messages, &weights)) {
        slot.messages = count;
    }
    slots
}

/// Draws a weight of 2^e times a factor from 16 to 31, where e is the sum of
/// three uniform draws from 0..=6. The weights spread over five orders of
/// magnitude in a roughly log-normal shape: most rooms are small and one
/// in 343 (7^3) gets the top exponent. Integer arithmetic keeps the output
/// the same on every platform.
fn room_weight(rng: &mut ChaCha8Rng) -> u64 {
    let exponent: u32 = (0..3)
        .map(|_| rng.random_range(0..=EXPONENT_DRAW_MAX))
        .sum();
    (1u64 << exponent) * rng.random_range(16..32)
}

/// Splits `total` into one count per weight, proportional to the weights.
///
/// When `total` is at least the number of weights, every count is at
/// least one. Otherwise the `total` heaviest entries get one each and the
/// others none.
/// The counts always sum to `total`.
pub fn allocate(total: u64, weights: &[u64]) -> Vec<u64> {
    let slots = weights.len() as u64;
    let mut counts = vec![0u64; weights.len()];
    if slots == 0 {
        return counts;
    }

    // Indices with the heaviest first. Ties go to the earlier entry.
    let mut by_weight: Vec<usize> = (0..weights.len()).collect();
    by_weight.sort_by(|&a, &b| weights[b].cmp(&weights[a]).then(a.cmp(&b)));

    if total < slots {
        for &index in by_weight.iter().take(total as usize) {
            counts[index] = 1;
        }
        return counts;
    }

    // Each entry gets 1, then its exact share of the rest rounded down.
    // The units lost to rounding go to the largest remainders, one each.
    let rest = u128::from(total - slots);
    let weight_sum: u128 = weights.iter().map(|&weight| u128::from(weight)).sum();
    let mut remainders = Vec::with_capacity(weights.len());
    let mut assigned = 0u64;
    for (index, &weight) in weights.iter().enumerate() {
        let scaled = rest * u128::from(weight);
        let share = (scaled / weight_sum) as u64;
        counts[index] = 1 + share;
        assigned += share;
        remainders.push((scaled % weight_sum, index));
    }
    let leftover = (rest as u64 - assigned) as usize;
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, index) in remainders.iter().take(leftover) {
        counts[index] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn allocate_sums_to_total() {
        let weights = [5, 1, 1, 300, 7, 7, 2];
        for total in [0, 1, 3, 7, 8, 100, 12_345] {
            let counts = allocate(total, &weights);
            assert_eq!(counts.iter().sum::<u64>(), total, "total {total}");
        }
    }

    #[test]
    fn allocate_gives_every_slot_one_when_possible() {
        let weights = [1, 1_000_000, 1, 1];
        let counts = allocate(4, &weights);
        assert_eq!(counts, vec![1, 1, 1, 1]);
        let counts = allocate(1000, &weights);
        assert!(counts.iter().all(|&count| count >= 1));
        assert!(counts[1] > 990);
    }

    #[test]
    fn allocate_below_slot_count_prefers_heavy_slots() {
        let counts = allocate(2, &[1, 9, 3, 9]);
        assert_eq!(counts, vec![0, 1, 0, 1]);
    }

    #[test]
    fn plan_rooms_is_skewed() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let slots = plan_rooms(&mut rng, 1000, 1_000_000, 500);
        let mut sizes: Vec<u64> = slots.iter().map(|slot| slot.messages).collect();
        sizes.sort_unstable();
        let median = sizes[sizes.len() / 2];
        let largest = sizes[sizes.len() - 1];
        assert_eq!(sizes.iter().sum::<u64>(), 1_000_000);
        assert!(largest > 20 * median, "largest {largest}, median {median}");
    }

    #[test]
    fn plan_rooms_ids_are_unique_and_increasing() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let slots = plan_rooms(&mut rng, 500, 10, 1);
        assert!(
            slots
                .windows(2)
                .all(|pair| pair[0].room_id < pair[1].room_id)
        );
        assert!(slots.iter().all(|slot| !slot.direct));
    }
}
