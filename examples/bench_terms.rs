//! Prints the search terms `benches/store_speed.py` times for `--meetings N --seed S`: a rare
//! token (in a handful of meetings), a common word and the generator's known phrase, one per
//! line as `kind<TAB>term`.

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let rare = krisp_tui::sandbox::generated::rare_tokens(count, seed)
        .into_iter()
        .filter(|t| !t.token.contains(|c: char| !c.is_alphanumeric()))
        .find(|t| (2..=5).contains(&t.meetings.len()))
        .map(|t| t.token)
        .unwrap_or_default();
    println!("rare\t{rare}");
    println!("common\tcustomer");
    println!("phrase\t{}", krisp_tui::sandbox::generated::PHRASE);
}
