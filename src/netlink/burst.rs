//! Receiving many datagrams in one system call (recvmmsg), for the
//! daemon's reader: under load the socket holds hundreds of records, and
//! one recvfrom per record costs more than everything else the reader does.

use std::os::fd::AsRawFd;

use nix::errno::Errno;

use super::{recv_error, AuditSocket, NetlinkError};

/// Room for one datagram: the largest record the kernel sends
/// (MAX_AUDIT_MESSAGE_LENGTH, 8970 bytes) and its netlink header.
pub const SLOT: usize = 9 * 1024;

/// Reusable buffers for up to `capacity` datagrams. Holds raw pointers
/// into itself while receiving, so it stays on the thread that made it.
pub struct Burst {
    buf: Vec<u8>,
    lens: Vec<usize>,
    /// Whether each datagram came from the kernel (port 0).
    kernel: Vec<bool>,
    count: usize,
    addrs: Vec<libc::sockaddr_nl>,
    iovs: Vec<libc::iovec>,
    headers: Vec<libc::mmsghdr>,
}

impl Burst {
    pub fn new(capacity: usize) -> Burst {
        Burst {
            buf: vec![0; capacity * SLOT],
            lens: vec![0; capacity],
            kernel: vec![false; capacity],
            count: 0,
            // SAFETY: zeroed sockaddr_nl and mmsghdr are valid values of
            // these plain C structs (integer and pointer fields only).
            addrs: vec![unsafe { std::mem::zeroed() }; capacity],
            iovs: vec![
                libc::iovec {
                    iov_base: std::ptr::null_mut(),
                    iov_len: 0
                };
                capacity
            ],
            // SAFETY: as above.
            headers: vec![unsafe { std::mem::zeroed() }; capacity],
        }
    }

    pub fn capacity(&self) -> usize {
        self.lens.len()
    }

    /// The datagrams received by the last call, from the kernel only
    /// (a user-space process may send to our port; its datagrams are
    /// dropped, as in [`AuditSocket::recv_datagram`]).
    pub fn datagrams(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.count)
            .filter(|i| self.kernel[*i])
            .map(|i| &self.buf[i * SLOT..i * SLOT + self.lens[i].min(SLOT)])
    }
}

impl AuditSocket {
    /// Receives what is already queued, up to the burst's capacity, without
    /// waiting; records stashed while a request waited for its reply come
    /// first. Returns how many datagrams were taken (0: nothing queued).
    pub fn recv_burst(&mut self, burst: &mut Burst) -> Result<usize, NetlinkError> {
        burst.count = 0;
        while burst.count < burst.capacity() {
            let Some(d) = self.stash.pop_front() else {
                break;
            };
            let i = burst.count;
            let n = d.len().min(SLOT);
            burst.buf[i * SLOT..i * SLOT + n].copy_from_slice(&d[..n]);
            burst.lens[i] = n;
            burst.kernel[i] = true;
            burst.count += 1;
        }
        if burst.count > 0 {
            return Ok(burst.count);
        }
        let capacity = burst.capacity();
        let Burst {
            buf,
            addrs,
            iovs,
            headers,
            ..
        } = burst;
        for (((slot, iov), addr), h) in buf
            .chunks_exact_mut(SLOT)
            .zip(iovs.iter_mut())
            .zip(addrs.iter_mut())
            .zip(headers.iter_mut())
        {
            iov.iov_base = slot.as_mut_ptr().cast();
            iov.iov_len = SLOT;
            h.msg_hdr.msg_name = (addr as *mut libc::sockaddr_nl).cast();
            h.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_nl>() as u32;
            h.msg_hdr.msg_iov = iov;
            h.msg_hdr.msg_iovlen = 1;
            h.msg_hdr.msg_flags = 0;
            h.msg_len = 0;
        }
        // SAFETY: every header points at one iovec over a distinct SLOT-sized
        // part of `burst.buf` and at its own sockaddr_nl; all of them outlive
        // the call, and `capacity` is the number of headers. The kernel
        // writes at most iov_len bytes per slot and msg_namelen per address.
        let n = unsafe {
            libc::recvmmsg(
                self.sock.as_raw_fd(),
                headers.as_mut_ptr(),
                capacity as u32,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        if n < 0 {
            let errno = Errno::last();
            return match errno {
                Errno::EAGAIN | Errno::EINTR => Ok(0),
                e => Err(recv_error(std::io::Error::from(e))),
            };
        }
        let n = n as usize;
        for i in 0..n {
            burst.lens[i] = burst.headers[i].msg_len as usize;
            burst.kernel[i] = burst.addrs[i].nl_pid == 0;
        }
        burst.count = n;
        Ok(n)
    }
}
