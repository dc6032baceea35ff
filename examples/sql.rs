//! A minimal `sqlite3` shell on the SQLite krisp-tui is built with (rusqlite's bundled one):
//! `sql DB "STATEMENT; STATEMENT"` opens DB read-only, runs each statement and prints its rows,
//! tab-separated. `benches/search_floor.py` times it as the floor under `krisp-tui search`:
//! Debian's `sqlite3` (3.40) cannot open the store, whose index needs SQLite 3.43 or later
//! (`contentless_delete`).

use rusqlite::{Connection, OpenFlags, types::ValueRef};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(sql)) = (args.next(), args.next()) else {
        eprintln!("usage: sql DB \"STATEMENT; ...\"");
        std::process::exit(2);
    };
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let mut stmt = conn.prepare(statement)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..columns {
                if i > 0 {
                    out.write_all(b"\t")?;
                }
                match row.get_ref(i)? {
                    ValueRef::Null => {}
                    ValueRef::Integer(n) => write!(out, "{n}")?,
                    ValueRef::Real(f) => write!(out, "{f}")?,
                    ValueRef::Text(t) | ValueRef::Blob(t) => out.write_all(t)?,
                }
            }
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(())
}
