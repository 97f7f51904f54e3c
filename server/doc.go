// Package server is an INIServe-compatible server: it lets OS/2 clients
// (and package client) read and change OS/2 INI and TNI files over TCP
// port 3560, speaking the protocol of ../shared/spec/iniserve-protocol.md
// (section numbers §N in this package refer to that document).
//
// # Embedding
//
// The zero-configuration case serves one directory as drive C:, with an
// empty password, on a loopback listener:
//
//	srv := &server.Server{Volumes: map[byte]string{'C': dir}}
//	l, err := net.Listen("tcp", "127.0.0.1:0")
//	if err != nil { ... }
//	go srv.Serve(l)          // returns server.ErrServerClosed after Shutdown
//	addr := l.Addr().String() // give this to the client
//	...
//	srv.Shutdown(ctx)
//
// An empty password is accepted only on a loopback listener: Serve refuses
// any other listener with an error wrapping ErrEmptyPassword. Set Password,
// PasswordFile or a ConfigFile with a $SYS Password to serve other
// addresses.
//
// # Volumes and paths
//
// Each drive letter in Volumes maps to a host directory opened with
// os.Root, so nothing outside it can be reached (symbolic links that lead
// out of a volume are refused and not listed). Client paths are OS/2 paths
// (§5): `\` and `/` are equivalent, `X:` selects a drive, `..` at a drive's
// root leads to the pseudo-directory of drives and never above it. Each
// path component is looked up case-insensitively (ASCII letters only; other
// bytes must match exactly), preferring an exact match; new files and
// directories keep the case the client sent.
//
// # Files
//
// The format of a file is chosen by its name: `.TNI` (any case) is TNI
// text, anything else binary OS/2 INI (§7). Parsed files are cached per
// path and shared by all sessions; before every command that reads or
// writes a file the cache is checked against the file's size, mtime, ctime
// and inode, so a change made by another program is seen at once, as with
// the reference server that opens and closes the file for every command.
// (A command skips that check only when another check of the same file
// began after the command had been received, as happens in a pipelined
// burst; no change that completed before the command was sent is missed.)
// A rewrite in place within one tick of the file system's clock keeps all
// five; so while a file's timestamps are within 50 ms (2 s on a file system
// with coarse timestamps) of the last check, every check reads the file
// and compares a hash of its bytes. A file reached through symbolic links
// (inside the volume) is cached, locked and written under its real path,
// so all its names share one entry; a link retargeted after F is not
// followed by that session until its next F. Files larger than
// MaxFileSize are neither read nor written, and named pipes never block.
// Every successful W or D is written atomically (temporary file, fsync,
// rename, fsync of the directory: ini.WriteFileRoot) before its `+` is
// sent. Writers of one file are serialised in the process and
// group-committed (W and D that arrive while a save runs are applied
// together by the next save), and across processes by an advisory flock on
// the file's parent directory (never on the file, which the rename
// replaces). A TNI file is written with the FMT file beside it (NAME.FMT),
// except that a W or D fails rather than let an FMT "*" code drop a key.
//
// # Deliberate differences from the reference server
//
// Those listed in the protocol spec (failed P logs out, lazy file creation,
// empty key in W refused, D of an empty key deletes the application, size
// limits, echo cleaning, line cap), plus: R across two volumes fails with
// `-`; R to the same name in another case renames (as on HPFS); F, M, R
// and X fail when the path's last component is empty, `.` or `..` (an
// empty X would delete the current directory); before a correct P a line
// may hold at most 4096 bytes (then `-Command too long` and close), so
// unauthenticated clients cannot make the server buffer MaxLine bytes;
// a session that has not logged in LoginTimeout (60 s) after connecting
// is closed, so idle unauthenticated connections cannot hold every
// session slot, and at most MaxPreLoginPerAddress (32) sessions from one
// IP address may be waiting to log in at once; at most MaxLongLines (4) sessions at once read or carry
// out a command line longer than their 64 KiB read buffer (a W of a value
// over 32 KiB, up to about 3x MaxLine of memory each), a further one
// waiting for its turn, so concurrent large writes cannot exhaust memory;
// names containing CR or LF are not listed by L (they cannot be sent),
// nor are the temporary files of saves interrupted by a crash
// (".NAME.<hex>.tmp"); F, M and R refuse to create entries whose names
// OS/2 could not hold (control bytes, < > : " / \ | ? *, device names such
// as CON or LPT1);
// a refused W or D says why after the `-` when the client can act on it
// (`-Write failed: file is read-only`, `: value too large`,
// `: invalid name`), never naming host paths;
// an E command that outlives its timeout is killed with its whole process
// group (on Unix), so its children do not linger;
// after ServerPort changes, `^` and SIGHUP reload everything else but the
// port takes effect at the next start;
// a value written in chunks is stored all at once (see below).
//
// # Values written in chunks
//
// A W with at least limit bytes (§8: N >= limit, the old bytes after it
// are kept, so more chunks follow) is answered `+` at once but held by the
// session ("staged"), not written; the W that ends the value (N < limit)
// writes the staged chunks and itself with one save before its `+`. The
// reference server writes every chunk when it arrives, so a client whose
// connection drops after the first chunk leaves a torn value there; here
// a session that ends without Q (connection closed or reset, idle timeout,
// an empty line, server shutdown) drops its staged chunks and the value
// stays as it was, and so does a refused chunk (the earlier chunks of the
// value are dropped with it; the reference keeps them). The writing
// session sees its staged chunks exactly as the reference would show them:
// S, T and V of the item, and the application and key lists, include them,
// byte for byte the same replies. Other sessions see the old value until
// the last chunk. A client that ends a value with a full chunk (allowed by
// the reference, which has nothing to wait for) finds it stored when it
// sends any command other than O, A, K, S, T, V or W (E after saving, F,
// Q, ...) or a W for another item; if that save fails the failure is
// logged only, since the chunks were answered `+` already. So a successful
// staged W is not on disk at its `+` (§7 asks that of every W); the W that
// ends the value is. Replies are unchanged: a client cannot tell staging
// from the reference's behaviour except through another session or a
// broken connection.
package server
