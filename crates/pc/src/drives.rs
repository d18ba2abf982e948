//! The host's side of the drives: put floppies in and take them out, attach hard disks, and
//! get the (possibly modified) images back to save them.
//!
//! Floppies can change at any time; the controller's disk change line tells the guest. Hard
//! disks are meant to be attached before the machine boots (the BIOS counts them at POST);
//! attaching one later makes it answer on the ATA channel at once, but the BIOS tables keep
//! what POST found until the next reset. The CMOS drive bytes follow every change, as if set
//! up by the user, so that any firmware (built-in or a ROM image) finds the drives.

use crate::cdrom::CdImage;
use crate::disk::{DiskError, DiskImage, DiskKind};
use crate::Pc;

impl Pc {
    /// Put a floppy in drive `drive` (0 = A:, 1 = B:), replacing any disk there (which is
    /// returned). A drive that cannot read that format becomes one that can.
    pub fn insert_floppy(
        &mut self,
        drive: u8,
        image: DiskImage,
    ) -> Result<Option<DiskImage>, DiskError> {
        if drive > 1 {
            return Err(DiskError::NoSuchDrive {
                kind: DiskKind::Floppy,
                index: drive,
            });
        }
        if image.kind() != DiskKind::Floppy {
            return Err(DiskError::WrongKind {
                drive: DiskKind::Floppy,
                image: image.kind(),
            });
        }
        let old = self.board.fdc.eject(drive as usize);
        self.board.fdc.insert(drive as usize, image);
        crate::bios::disk::configure_cmos(&mut self.board);
        Ok(old)
    }

    /// Take the floppy out of drive `drive`.
    pub fn eject_floppy(&mut self, drive: u8) -> Option<DiskImage> {
        self.board.fdc.eject(drive as usize)
    }

    /// Attach a hard disk as ATA master (0) or slave (1) on the primary channel, replacing any
    /// disk there (which is returned).
    pub fn attach_hard_disk(
        &mut self,
        index: u8,
        image: DiskImage,
    ) -> Result<Option<DiskImage>, DiskError> {
        if index > 1 {
            return Err(DiskError::NoSuchDrive {
                kind: DiskKind::HardDisk,
                index,
            });
        }
        if image.kind() != DiskKind::HardDisk {
            return Err(DiskError::WrongKind {
                drive: DiskKind::HardDisk,
                image: image.kind(),
            });
        }
        let old = self.board.ata.detach(index as usize);
        self.board.ata.attach(index as usize, image);
        crate::bios::disk::configure_cmos(&mut self.board);
        Ok(old)
    }

    /// Remove the hard disk at `index`.
    pub fn detach_hard_disk(&mut self, index: u8) -> Option<DiskImage> {
        let old = self.board.ata.detach(index as usize);
        crate::bios::disk::configure_cmos(&mut self.board);
        old
    }

    /// The floppy in drive `drive`, to save it when [`DiskImage::is_modified`].
    pub fn floppy_image(&self, drive: u8) -> Option<&DiskImage> {
        self.board.fdc.drives.get(drive as usize)?.image.as_ref()
    }

    /// The hard disk at `index`, to save it when [`DiskImage::is_modified`].
    pub fn hard_disk_image(&self, index: u8) -> Option<&DiskImage> {
        self.board.ata.drives.get(index as usize)?.image.as_ref()
    }

    /// Mutable access to a floppy (to write-protect it, or clear its modified flag once saved).
    pub fn floppy_image_mut(&mut self, drive: u8) -> Option<&mut DiskImage> {
        self.board
            .fdc
            .drives
            .get_mut(drive as usize)?
            .image
            .as_mut()
    }

    /// Mutable access to a hard disk (to clear its modified flag once saved).
    pub fn hard_disk_image_mut(&mut self, index: u8) -> Option<&mut DiskImage> {
        self.board
            .ata
            .drives
            .get_mut(index as usize)?
            .image
            .as_mut()
    }

    /// Put a disc in the CD-ROM drive (the ATAPI master of the secondary channel), replacing
    /// any disc there (which is returned). The drive is fitted on first use and stays, empty,
    /// after [`Pc::eject_cdrom`]. The guest sees a media change (unit attention); the BIOS
    /// boots from it when no floppy or hard disk is bootable (see `bios::post::int19`).
    pub fn insert_cdrom(&mut self, image: CdImage) -> Option<CdImage> {
        self.board.ata2.attach_atapi(0);
        self.board.ata2.drives[0]
            .atapi
            .as_mut()
            .and_then(|a| a.insert(image))
    }

    /// Take the disc out of the CD-ROM drive.
    pub fn eject_cdrom(&mut self) -> Option<CdImage> {
        self.board.ata2.drives[0].atapi.as_mut()?.eject()
    }

    /// Fit an empty CD-ROM drive (so that a disc can be inserted later and the guest sees the
    /// drive from boot).
    pub fn attach_cdrom_drive(&mut self) {
        self.board.ata2.attach_atapi(0);
    }

    /// Whether the machine has a CD-ROM drive.
    pub fn has_cdrom_drive(&self) -> bool {
        self.board.ata2.drives[0].atapi.is_some()
    }

    /// The disc in the CD-ROM drive.
    pub fn cdrom_image(&self) -> Option<&CdImage> {
        self.board.ata2.drives[0].atapi.as_ref()?.medium.as_ref()
    }
}
