/** The few icons the studio needs, drawn as 24x24 SVG paths (no icon package). */
import SvgIcon, { type SvgIconProps } from '@mui/material/SvgIcon';

function icon(d: string) {
  return function Icon(props: SvgIconProps) {
    return (
      <SvgIcon {...props} aria-hidden="true">
        <path d={d} />
      </SvgIcon>
    );
  };
}

export const SunIcon = icon('M12 7a5 5 0 1 1 0 10a5 5 0 0 1 0-10zM11 1h2v4h-2zM11 19h2v4h-2zM1 11h4v2H1zM19 11h4v2h-4z');
export const MoonIcon = icon('M14 2a10 10 0 1 0 8 15.5A8 8 0 0 1 14 2z');
export const PlayIcon = icon('M7 4l13 8l-13 8z');
export const PauseIcon = icon('M6 4h4v16H6zM14 4h4v16h-4z');
export const PrevIcon = icon('M15 5l-7 7l7 7l1.5-1.5L11 12l5.5-5.5z');
export const NextIcon = icon('M9 5l7 7l-7 7l-1.5-1.5L13 12L7.5 6.5z');
export const PrevKeyIcon = icon('M5 5h2v14H5zM18 5l-8 7l8 7z');
export const NextKeyIcon = icon('M17 5h2v14h-2zM6 5l8 7l-8 7z');
export const CloseIcon = icon('M6.4 5L12 10.6L17.6 5L19 6.4L13.4 12L19 17.6L17.6 19L12 13.4L6.4 19L5 17.6L10.6 12L5 6.4z');
export const DeleteIcon = icon('M8 3h8v2h4v2H4V5h4zM6 9h12l-1 12H7z');
export const EditIcon = icon('M4 17v3h3l10-10l-3-3zM15.5 5.5l3 3l1.5-1.5a1 1 0 0 0 0-1.4l-1.6-1.6a1 1 0 0 0-1.4 0z');
export const DownloadIcon = icon('M11 3h2v9l3-3l1.4 1.4L12 15.8l-5.4-5.4L8 9l3 3zM4 18h16v2H4z');
export const AddIcon = icon('M11 4h2v7h7v2h-7v7h-2v-7H4v-2h7z');
