//! Turning events, or pieces of events, into rows ready for the writer:
//! the shape of their records, their path names, and their bodies
//! compressed. It needs no database, so the daemon runs it on the
//! assembler's thread and the writer's thread only writes.

use super::body::{body_text, BodyEncoder, DictState, NewDict};
use super::shape::Summary;
use super::writer::{Batch, Part, Row};
use crate::event::Event;
use crate::record::{EventId, Record};

pub struct Encoder {
    bodies: BodyEncoder,
}

/// One piece of an event: its records that arrived since the last piece.
pub struct Piece<'a> {
    /// The event's number in this run.
    pub token: u64,
    pub id: EventId,
    pub node: Option<&'a str>,
    pub part: Part,
    /// More records may still join.
    pub open: bool,
    pub records: &'a [Record],
}

impl Encoder {
    pub fn new(state: DictState) -> Encoder {
        Encoder {
            bodies: BodyEncoder::new(state),
        }
    }

    /// The row of a whole event.
    pub fn whole(&mut self, event: &Event) -> Row {
        let mut summary = Summary::default();
        self.piece(
            Piece {
                token: 0,
                id: event.id,
                node: event.node.as_deref(),
                part: Part::First,
                open: false,
                records: &event.records,
            },
            &mut summary,
        )
    }

    /// A batch of whole events, each with its ENRICHED text (encoded) if
    /// it has one, and the dictionary trained meanwhile.
    pub fn batch<'e>(
        &mut self,
        events: impl IntoIterator<Item = (&'e Event, Option<String>)>,
    ) -> Batch {
        let mut batch = Batch::default();
        for (event, enrichment) in events {
            let mut row = self.whole(event);
            row.enrichment = enrichment;
            batch.rows.push(row);
        }
        batch.dicts.extend(self.take_trained());
        batch
    }

    /// The row of a piece; `summary` holds what the event's earlier pieces
    /// said, and takes this one's records.
    pub fn piece(&mut self, piece: Piece<'_>, summary: &mut Summary) -> Row {
        let paths: Vec<String> = piece
            .records
            .iter()
            .filter_map(|r| summary.add(r))
            .collect();
        let malformed = summary.malformed;
        let shape = if piece.open {
            summary.shape(piece.node)
        } else {
            std::mem::take(summary).into_shape(piece.node)
        };
        let body =
            (!piece.records.is_empty()).then(|| self.bodies.encode(body_text(piece.records)));
        Row {
            token: piece.token,
            time_ms: piece.id.time_ms(),
            serial: piece.id.serial,
            part: piece.part,
            open: piece.open,
            malformed,
            shape,
            paths,
            body,
            enrichment: None,
            context: None,
        }
    }

    /// A dictionary trained since the last call, for the writer.
    pub fn take_trained(&mut self) -> Option<NewDict> {
        self.bodies.take_trained()
    }
}
