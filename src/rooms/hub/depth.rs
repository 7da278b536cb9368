//! How full a connection's queue is, for its reader's backpressure. A connection whose queue
//! is above the high-water mark is not read from until its outbound half drains it, so a
//! client that bursts is slowed down by TCP instead of overflowing its own queue (and being
//! closed for `resync`, which stays for a client too slow to read other people's traffic).

use super::{ConnId, Hub};

impl Hub {
    /// Items waiting in `conn`'s queue (0 for a connection that is gone).
    pub fn queued(&self, conn: ConnId) -> usize {
        self.lock()
            .conns
            .get(&conn)
            .map_or(0, |c| c.tx.max_capacity() - c.tx.capacity())
    }

    /// The depth above which a connection's reader waits: three quarters of the queue. The
    /// last quarter is for what is already on its way (replies to sends with the writer, other
    /// members' traffic) while the reader waits.
    pub fn high_water(&self) -> usize {
        self.queue - self.queue / 4
    }

    /// Whether `conn`'s reader should wait before reading another frame.
    pub fn backed_up(&self, conn: ConnId) -> bool {
        self.queued(conn) > self.high_water()
    }
}

#[cfg(test)]
mod tests {
    use bytestring::ByteString;

    use super::super::{Hub, Out};

    fn presence(_: &str, _: &str, _: bool) -> ByteString {
        ByteString::from_static("presence")
    }

    #[test]
    fn a_queue_above_three_quarters_is_backed_up_until_drained() {
        let hub = Hub::new(8, 5, presence);
        let mut reg = hub.register("ann", "s", false).expect("register");
        assert_eq!(hub.high_water(), 6);
        for n in 1..=7 {
            assert!(!hub.backed_up(reg.id), "{n} queued");
            hub.to_conn(reg.id, Out::Frame(ByteString::from_static("x")));
            assert_eq!(hub.queued(reg.id), n);
        }
        assert!(hub.backed_up(reg.id));
        reg.rx.try_recv().expect("one drained");
        assert!(!hub.backed_up(reg.id));
        // Still open: backpressure is not an overflow.
        assert!(reg.close.borrow().is_none());
        hub.unregister(reg.id);
        assert_eq!(hub.queued(reg.id), 0);
    }
}
