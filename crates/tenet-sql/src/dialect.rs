//! SQL dialects: one generic SQL, and per engine only what differs.
//!
//! As in PRQL's `prqlc` (`src/sql/dialect.rs`): a [`Dialect`] enum, each
//! variant answering a list of capability questions with a default that
//! fits most engines; a dialect overrides only where it differs. The
//! printer ([`crate::ast`]) asks these questions and never tests the
//! dialect by name.

use std::fmt;

/// An SQL engine the compiler writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// DuckDB (embedded, one big machine).
    DuckDb,
    /// PostgreSQL (where bureaus keep their records).
    Postgres,
    /// Spark SQL (a province or the nation, on a cluster).
    Spark,
}

impl Dialect {
    /// Every dialect, in the order documentation lists them.
    pub const ALL: [Dialect; 3] = [Dialect::DuckDb, Dialect::Postgres, Dialect::Spark];

    /// The name on the command line (`duckdb`, `postgres`, `spark`).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
        }
    }

    /// The dialect with a command-line name.
    ///
    /// ```
    /// use tenet_sql::Dialect;
    /// assert_eq!(Dialect::parse("postgres"), Some(Dialect::Postgres));
    /// assert_eq!(Dialect::parse("postgresql"), Some(Dialect::Postgres));
    /// assert_eq!(Dialect::parse("oracle"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "duckdb" => Some(Dialect::DuckDb),
            "postgres" | "postgresql" | "pg" => Some(Dialect::Postgres),
            "spark" | "sparksql" | "spark-sql" => Some(Dialect::Spark),
            _ => None,
        }
    }

    /// The type of text columns.
    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::Spark => "STRING",
            Dialect::DuckDb => "VARCHAR",
            Dialect::Postgres => "TEXT",
        }
    }

    /// How an identifier is quoted (extra columns read by `attr` may be
    /// any name a bureau chose).
    pub fn quote(self) -> char {
        match self {
            Dialect::Spark => '`',
            _ => '"',
        }
    }

    /// The function `f(text, characters)` that trims any of `characters`
    /// from both ends of `text`.
    pub fn trim_function(self) -> &'static str {
        match self {
            Dialect::DuckDb => "trim",
            Dialect::Postgres | Dialect::Spark => "btrim",
        }
    }

    /// Whether text literals read `\uXXXX` escapes (else a character is
    /// written `chr(n)`, `n` its code point).
    pub fn unicode_escapes(self) -> bool {
        matches!(self, Dialect::Spark)
    }

    /// Whether `date + n` adds days (else a function call is needed).
    pub fn date_plus_integer(self) -> bool {
        !matches!(self, Dialect::Spark)
    }

    /// Whether strings concatenate with `||` (else `concat(…)`).
    pub fn concat_operator(self) -> bool {
        !matches!(self, Dialect::Spark)
    }

    /// How months are added to a date (clamping to the month's last day,
    /// as the evaluator does).
    pub fn add_months(self) -> AddMonths {
        match self {
            Dialect::Spark => AddMonths::Function,
            Dialect::DuckDb => AddMonths::IntervalMonth,
            Dialect::Postgres => AddMonths::IntervalString,
        }
    }

    /// The operator dividing integers to an integer (DuckDB's `/` gives
    /// a double).
    pub fn int_div(self) -> &'static str {
        match self {
            Dialect::DuckDb => "//",
            Dialect::Postgres => "/",
            Dialect::Spark => "div",
        }
    }

    /// How a run of integers `0 .. n` is made (the spine of sub-windows).
    pub fn spine(self) -> Spine {
        match self {
            Dialect::DuckDb => Spine::Range,
            Dialect::Postgres => Spine::GenerateSeries,
            // Spark 4 has no generate_series.
            Dialect::Spark => Spine::ExplodeSequence,
        }
    }

    /// How the texts of a group are joined in order.
    pub fn join_texts(self) -> JoinTexts {
        match self {
            Dialect::Spark => JoinTexts::SortedList,
            _ => JoinTexts::StringAgg,
        }
    }

    /// Whether a PRIMARY KEY constraint is written in the DDL (Spark
    /// tables have none).
    pub fn keys(self) -> bool {
        !matches!(self, Dialect::Spark)
    }

    /// How many subqueries the reason of one unknown value may take
    /// (`compile::why`); past it the reason is not told. Spark plans
    /// every subquery as a join and runs out of memory planning deep
    /// reasons (a random policy's, at 64, in a 1 GB driver; at 16 every
    /// tested policy passes); DuckDB and PostgreSQL are bounded only so
    /// that no policy makes a query without bound.
    pub fn reason_budget(self) -> usize {
        match self {
            Dialect::Spark => 16,
            _ => 64,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Ways to add months to a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddMonths {
    /// `add_months(d, n)`.
    Function,
    /// `CAST(d + INTERVAL (n) MONTH AS DATE)`.
    IntervalMonth,
    /// `CAST(d + INTERVAL 'n months' AS DATE)`.
    IntervalString,
}

/// Ways to make the integers `0 .. n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spine {
    /// `range(0, n)`.
    Range,
    /// `generate_series(0, n - 1)`.
    GenerateSeries,
    /// `explode(sequence(0, n - 1))`.
    ExplodeSequence,
}

/// Ways to join the texts of a group in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinTexts {
    /// `string_agg(x, ';' ORDER BY x)`.
    StringAgg,
    /// `array_join(array_sort(collect_list(x)), ';')` (Spark has no
    /// ordered `string_agg`).
    SortedList,
}
