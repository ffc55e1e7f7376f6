// CommitWait: how long a write waits for its commit.
//
// kFlushed (the default everywhere): until PostgreSQL has flushed the commit to disk.
// kBeforeFlush: only until the server has it (synchronous_commit = off for that one transaction,
// the connection's setting is left alone). A server crash may then lose the last such commits (up
// to three times the server's wal_writer_delay, 600 ms by default), never part of one, and never
// an earlier commit while keeping a later one: the log is replayed in order. Meant for writes the
// caller can redo from a source of its own; it saves the disk one flush per transaction, which
// matters when the database shares a slow disk with Orthanc.
#pragma once

namespace ecg {

enum class CommitWait { kFlushed, kBeforeFlush };

}  // namespace ecg
