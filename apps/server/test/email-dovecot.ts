import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { ImapFlow } from "imapflow";
import { findFreePort } from "./free-port.ts";

/** Debian's dovecot-imapd (`apt-get install -y dovecot-imapd`); IMAP tests skip visibly without it. */
export const DOVECOT_BINARY = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"].find((candidate) => existsSync(candidate)) ?? null;

export type Dovecot = {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Delivers a message into the user's INBOX (IMAP APPEND), as an MTA would. */
  deliver: (raw: string | Buffer, options?: { seen?: boolean }) => Promise<void>;
  /** A logged-in client for inspecting the mailbox (flags); the caller logs out. */
  client: () => Promise<ImapFlow>;
  /** Changes the user's password, as a mail admin would (Dovecot re-reads its passwd file). */
  setPassword: (password: string) => Promise<void>;
  /** The server's log, for failure messages. */
  log: () => Promise<string>;
  close: () => Promise<void>;
};

const waitForPort = async (port: number, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (isOpen) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const idOf = (flag: "-u" | "-g", name: string) => Number(execFileSync("id", [flag, name]).toString().trim());

/**
 * A real Dovecot IMAP server for one test file: its own config, port, passwd file and maildir in a
 * temporary folder, plaintext login on loopback. As root, Dovecot's own service users run it and
 * mail belongs to `nobody`; otherwise everything runs as the current user.
 */
export const startDovecot = async (): Promise<Dovecot> => {
  if (!DOVECOT_BINARY) throw new Error("dovecot is not installed");
  const dir = await mkdtemp(path.join(tmpdir(), "parley-dovecot-"));
  await chmod(dir, 0o755);
  const port = await findFreePort();
  const user = "support";
  const password = "imap-secret";
  const isRoot = process.getuid?.() === 0;
  const me = userInfo();
  const mailUid = isRoot ? idOf("-u", "nobody") : me.uid;
  const mailGid = isRoot ? idOf("-g", "nobody") : me.gid;
  await mkdir(path.join(dir, "mail"), { mode: 0o755 });
  await mkdir(path.join(dir, "state"), { mode: 0o755 });
  if (isRoot) await chown(path.join(dir, "mail"), mailUid, mailGid);
  await writeFile(path.join(dir, "passwd"), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const config = path.join(dir, "dovecot.conf");
  await writeFile(
    config,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = parley-test-${port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${dir}/dovecot.log
default_internal_user = ${isRoot ? "dovecot" : me.username}
default_login_user = ${isRoot ? "dovenull" : me.username}
${isRoot ? "" : `default_internal_group = ${me.username}\n`}mail_location = maildir:${dir}/mail/%n
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${dir}/mail/%n
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`,
  );
  const child: ChildProcess = spawn(DOVECOT_BINARY, ["-F", "-c", config], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const log = () => readFile(path.join(dir, "dovecot.log"), "utf8").catch(() => "");
  try {
    await waitForPort(port, 10_000);
  } catch (error) {
    child.kill("SIGTERM");
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await log()}`);
  }
  const client = async () => {
    const imap = new ImapFlow({ host: "127.0.0.1", port, secure: false, auth: { user, pass: password }, logger: false });
    imap.on("error", () => undefined);
    await imap.connect();
    return imap;
  };
  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    deliver: async (raw, options = {}) => {
      const imap = await client();
      try {
        await imap.append("INBOX", raw, options.seen ? ["\\Seen"] : []);
      } finally {
        await imap.logout();
      }
    },
    client,
    setPassword: async (next) => {
      await writeFile(path.join(dir, "passwd"), `${user}:{PLAIN}${next}\n`, { mode: 0o644 });
      // Dovecot notices the file's new mtime on a later lookup (its stat is cached for about a second).
      const deadline = Date.now() + 10_000;
      for (;;) {
        const probe = new ImapFlow({ host: "127.0.0.1", port, secure: false, auth: { user, pass: next }, logger: false });
        probe.on("error", () => undefined);
        try {
          await probe.connect();
          await probe.logout();
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      }
    },
    log,
    close: async () => {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await rm(dir, { recursive: true, force: true });
    },
  };
};
